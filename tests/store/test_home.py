"""updraft's home folder: where local runs and the local server keep their stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from updraft.model import Execution
from updraft.store import BlobStore, SqlMetadataStore, open_store, updraft_home


def test_home_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPDRAFT_HOME", str(tmp_path / "h"))
    assert updraft_home() == tmp_path / "h"

    monkeypatch.delenv("UPDRAFT_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    assert updraft_home() == tmp_path / "me" / ".updraft"


def test_open_store_defaults_to_the_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPDRAFT_HOME", str(tmp_path / "home"))

    meta, blobs = open_store()

    assert isinstance(meta, SqlMetadataStore)
    assert (tmp_path / "home" / "updraft.db").is_file()
    assert blobs.root == str(tmp_path / "home" / "blobs")
    meta.close()


def test_two_opens_of_one_home_share_data(tmp_path: Path) -> None:
    home = str(tmp_path / "shared")
    meta1, blobs1 = open_store(home)
    meta1.create_execution(Execution(id="ex-h", workflow="wf", spec_hash="h", inputs={}), [])
    uri = blobs1.put_bytes("ex-h", "o0", b"42")

    meta2, blobs2 = open_store(home)

    assert meta2.get_execution("ex-h").workflow == "wf"
    assert blobs2.get_bytes(uri) == b"42"
    meta1.close()
    meta2.close()


def test_open_store_with_explicit_locations(tmp_path: Path) -> None:
    meta, blobs = open_store(
        str(tmp_path / "home"),
        db_url=f"sqlite:///{tmp_path / 'elsewhere' / 'meta.db'}",
        blob_root="memory://home-test/blobs",
    )

    assert (tmp_path / "elsewhere" / "meta.db").is_file()
    assert not (tmp_path / "home" / "updraft.db").exists()
    assert isinstance(blobs, BlobStore) and not blobs.is_local
    assert blobs.get_bytes(blobs.put_bytes("p", "n", b"v")) == b"v"
    meta.close()
