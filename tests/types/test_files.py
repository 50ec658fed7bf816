"""Files and directories: uploaded once, fetched lazily, hashed by content."""

from __future__ import annotations

import os
from pathlib import Path

import fsspec
import joblib
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from updraft.model import Blob, LiteralType, literal_hash
from updraft.types import (
    Directory,
    File,
    TypeConversionError,
    to_literal,
    to_literal_type,
    to_python,
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_file_becomes_a_blob_with_content_hash(tmp_path: Path, blob_io) -> None:
    source = write(tmp_path / "data.csv", "x\n1\n")
    literal = to_literal(File(source), File, blob_io, "exec/n0/1")
    assert isinstance(literal, Blob)
    assert literal.kind == "file" and literal.format == "csv" and literal.size == 4
    assert literal.preview == "data.csv"
    assert to_literal_type(File) == LiteralType("file")
    assert Path(literal.uri).read_text() == "x\n1\n"


def test_equal_files_at_different_paths_hash_equal(tmp_path: Path, blob_io) -> None:
    a = to_literal(File(write(tmp_path / "a" / "one.txt", "same")), File, blob_io, "p1")
    b = to_literal(File(write(tmp_path / "b" / "two.txt", "same")), File, blob_io, "p2")
    c = to_literal(File(write(tmp_path / "c.txt", "other")), File, blob_io, "p3")
    assert isinstance(a, Blob) and isinstance(b, Blob)
    assert a.uri != b.uri
    assert literal_hash(a) == literal_hash(b) != literal_hash(c)


def test_input_file_is_fetched_lazily_with_its_name(tmp_path: Path, blob_io) -> None:
    literal = to_literal(File(write(tmp_path / "model.bin", "w")), File, blob_io, "p")
    received = to_python(literal, File, blob_io)
    assert isinstance(received, File)
    assert received.uri == literal.uri and received.name == "model.bin"
    assert blob_io.calls["get_file"] == 0
    assert str(received) == literal.uri  # str never fetches
    local = os.fspath(received)
    assert blob_io.calls["get_file"] == 1
    assert Path(local).name == "model.bin"
    assert local.startswith(blob_io.local_dir())
    with received.open("rt") as handle:
        assert handle.read() == "w"
    assert received.download() == local and blob_io.calls["get_file"] == 1
    assert str(received) == local


def test_received_file_passes_through_without_upload(tmp_path: Path, blob_io) -> None:
    literal = to_literal(File(write(tmp_path / "f.txt", "x")), File, blob_io, "p")
    received = to_python(literal, File, blob_io)
    assert blob_io.calls["put_file"] == 1
    assert to_literal(received, File, blob_io, "q") == literal
    assert blob_io.calls["put_file"] == 1 and blob_io.calls["get_file"] == 0


def test_plain_path_is_accepted_for_a_file_output(tmp_path: Path, blob_io) -> None:
    literal = to_literal(str(write(tmp_path / "f.txt", "x")), File, blob_io, "p")
    assert isinstance(literal, Blob) and literal.kind == "file"


def test_missing_file_and_wrong_kind_are_errors(tmp_path: Path, blob_io) -> None:
    with pytest.raises(TypeConversionError, match="does not exist"):
        to_literal(File(tmp_path / "nope.txt"), File, blob_io, "p")
    with pytest.raises(TypeConversionError, match="use Directory"):
        to_literal(File(tmp_path), File, blob_io, "p")
    with pytest.raises(TypeConversionError, match="expected File, got int"):
        to_literal(3, File, blob_io, "p")


def test_remote_url_file_is_fetched_and_uploaded(blob_io) -> None:
    with fsspec.open("memory://bucket/remote.txt", "wb") as handle:
        handle.write(b"remote data")
    remote = File("memory://bucket/remote.txt")
    assert remote.uri is None and not remote.is_local
    assert repr(remote) == "File('memory://bucket/remote.txt')"
    literal = to_literal(remote, File, blob_io, "p")
    assert isinstance(literal, Blob) and literal.size == len(b"remote data")
    assert Path(to_python(literal, File, blob_io).path).read_bytes() == b"remote data"


def test_directory_round_trip_and_deterministic_hash(tmp_path: Path, blob_io) -> None:
    for root in ("one", "two"):
        write(tmp_path / root / "a.txt", "A")
        write(tmp_path / root / "sub" / "b.txt", "B")
    first = to_literal(Directory(tmp_path / "one"), Directory, blob_io, "p1")
    second = to_literal(Directory(tmp_path / "two"), Directory, blob_io, "p2")
    assert isinstance(first, Blob) and first.kind == "directory" and first.size == 2
    assert literal_hash(first) == literal_hash(second)
    write(tmp_path / "two" / "sub" / "b.txt", "changed")
    third = to_literal(Directory(tmp_path / "two"), Directory, blob_io, "p3")
    assert literal_hash(third) != literal_hash(first)

    received = to_python(first, Directory, blob_io)
    assert isinstance(received, Directory) and blob_io.calls["get_directory"] == 0
    assert received.listing() == ["a.txt", "sub/b.txt"]
    assert Path(received.path, "sub", "b.txt").read_text() == "B"
    assert to_literal(received, Directory, blob_io, "p4") == first  # passed through


def test_moving_a_file_between_folders_changes_the_directory_hash(tmp_path: Path, blob_io) -> None:
    write(tmp_path / "x" / "a" / "f.txt", "same")
    write(tmp_path / "y" / "b" / "f.txt", "same")
    x = to_literal(Directory(tmp_path / "x"), Directory, blob_io, "p")
    y = to_literal(Directory(tmp_path / "y"), Directory, blob_io, "p")
    assert literal_hash(x) != literal_hash(y)


def test_joblib_model_returned_as_file_predicts_the_same(tmp_path: Path, blob_io) -> None:
    x = np.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1], [0.1, 0.8], [0.8, 0.3]])
    y = np.array([0, 1, 0, 1, 0, 1])
    model = LogisticRegression().fit(x, y)
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    literal = to_literal(File(path), File, blob_io, "train/1")
    assert isinstance(literal, Blob) and literal.format == "joblib"
    loaded = joblib.load(to_python(literal, File, blob_io))
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    np.testing.assert_allclose(loaded.predict_proba(x), model.predict_proba(x))


def test_file_equality_and_str(tmp_path: Path) -> None:
    assert File(tmp_path / "a") == File(str(tmp_path / "a"))
    assert File("a") != File("b")
    assert str(File("data/x.csv")) == "data/x.csv"
    assert File(File("data/x.csv")) == File("data/x.csv")
    assert File("data/x.csv").name == "x.csv"
    assert len({File("a"), File("a")}) == 1


def test_remote_url_directory_is_fetched_and_uploaded(blob_io) -> None:
    fs = fsspec.filesystem("memory")
    fs.pipe({"/tree/a.txt": b"A", "/tree/sub/b.txt": b"B"})
    literal = to_literal(Directory("memory://tree"), Directory, blob_io, "p")
    assert isinstance(literal, Blob) and literal.size == 2
    received = to_python(literal, Directory, blob_io)
    assert received.listing() == ["a.txt", "sub/b.txt"]


def test_a_url_fetched_outside_a_task_leaves_no_folder_behind(tmp_path: Path) -> None:
    """A File or Directory given as a URL is downloaded to a temporary folder; that folder
    must not outlive the process."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import fsspec
        from updraft.types import Directory, File
        with fsspec.open("memory://bucket/remote.txt", "wb") as handle:
            handle.write(b"hello")
        with fsspec.open("memory://tree/a.txt", "wb") as handle:
            handle.write(b"a")
        file, tree = File("memory://bucket/remote.txt"), Directory("memory://tree")
        assert open(file.path, "rb").read() == b"hello"
        print(file.path)
        print(tree.path)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    paths = out.stdout.split()
    assert len(paths) == 2
    for path in paths:
        assert not os.path.exists(path)
        assert not os.path.exists(os.path.dirname(path))
