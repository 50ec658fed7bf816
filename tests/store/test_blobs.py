"""The blob store on a local folder and on an fsspec location (``memory://``)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import uuid
from pathlib import Path

import fsspec
import pytest

from updraft.model import BlobIO
from updraft.store import BlobStore


@pytest.fixture(params=["local", "memory", "fsspec-folders"])
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    """A local folder (fast path), an object store, and an fsspec filesystem with real
    folders (``local://`` goes through fsspec, unlike a plain path)."""
    if request.param == "local":
        return BlobStore(str(tmp_path / "blobs"))
    if request.param == "memory":
        return BlobStore(f"memory://updraft-{uuid.uuid4().hex}/blobs")
    return BlobStore(f"local://{tmp_path / 'fsspec-blobs'}")


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _make_tree(root: Path) -> dict[str, bytes]:
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"a")
    (root / "sub" / "b.bin").write_bytes(bytes(range(256)))
    (root / "sub" / "deeper" / "c.csv").write_text("x,y\n1,2\n")
    return _tree(root)


def test_is_a_blob_io(blobs: BlobStore) -> None:
    io: BlobIO = blobs
    assert io.local_dir()


def test_bytes_round_trip_under_the_root(blobs: BlobStore) -> None:
    uri = blobs.put_bytes("ex-1/n0/a0", "o0.json", b'{"x": 1}')

    assert uri.startswith(blobs.root + os.sep if blobs.is_local else blobs.root + "/")
    assert uri.endswith("ex-1/n0/a0/o0.json")
    assert blobs.get_bytes(uri) == b'{"x": 1}'
    assert blobs.exists(uri)
    assert not blobs.exists(uri + ".missing")


def test_local_uri_is_the_absolute_file_path(tmp_path: Path) -> None:
    blobs = BlobStore(str(tmp_path / "b"))

    uri = blobs.put_bytes("p", "n.txt", b"hi")

    assert uri == str(tmp_path / "b" / "p" / "n.txt")
    assert Path(uri).read_bytes() == b"hi"
    assert blobs.as_local_path(uri) == uri


def test_overwrite_replaces_the_content(blobs: BlobStore) -> None:
    blobs.put_bytes("p", "n", b"first")
    uri = blobs.put_bytes("p", "n", b"second")

    assert blobs.get_bytes(uri) == b"second"


def test_file_round_trip(blobs: BlobStore, tmp_path: Path) -> None:
    source = tmp_path / "model.joblib"
    source.write_bytes(os.urandom(100_000))

    uri = blobs.put_file("ex-1/n1/a0", "model.joblib", str(source))
    target = tmp_path / "down" / "here" / "model.joblib"
    blobs.get_file(uri, str(target))

    assert target.read_bytes() == source.read_bytes()


def test_directory_round_trip(blobs: BlobStore, tmp_path: Path) -> None:
    expected = _make_tree(tmp_path / "src")

    uri = blobs.put_directory("ex-1/n2/a0", "out", str(tmp_path / "src"))
    blobs.get_directory(uri, str(tmp_path / "dst"))

    assert _tree(tmp_path / "dst") == expected
    assert blobs.exists(uri)


def test_directory_upload_replaces_an_earlier_one(blobs: BlobStore, tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    (old / "stale.txt").write_text("stale")
    blobs.put_directory("p", "d", str(old))
    expected = _make_tree(tmp_path / "new")

    uri = blobs.put_directory("p", "d", str(tmp_path / "new"))
    blobs.get_directory(uri, str(tmp_path / "dst"))

    if blobs.is_local:  # object stores keep other keys under the prefix; paths are unique anyway
        assert _tree(tmp_path / "dst") == expected


def test_reads_uris_outside_the_root(blobs: BlobStore, tmp_path: Path) -> None:
    local_file = tmp_path / "input.csv"
    local_file.write_text("a,b\n")
    other = f"memory://elsewhere-{uuid.uuid4().hex}/data/input.csv"
    fs, path = fsspec.core.url_to_fs(other)
    fs.pipe_file(path, b"remote")

    assert blobs.get_bytes(str(local_file)) == b"a,b\n"
    assert blobs.get_bytes("file://" + str(local_file)) == b"a,b\n"
    assert blobs.get_bytes(other) == b"remote"
    blobs.get_file(other, str(tmp_path / "copy.csv"))
    assert (tmp_path / "copy.csv").read_bytes() == b"remote"
    assert blobs.exists(other)
    assert blobs.as_local_path(other) is None


def test_remote_directory_outside_the_root(tmp_path: Path) -> None:
    blobs = BlobStore(str(tmp_path / "blobs"))
    base = f"memory://dirs-{uuid.uuid4().hex}/ds"
    fs, path = fsspec.core.url_to_fs(base)
    fs.pipe_file(path + "/x/1.txt", b"1")
    fs.pipe_file(path + "/2.txt", b"2")

    blobs.get_directory(base, str(tmp_path / "dst"))

    assert _tree(tmp_path / "dst") == {"2.txt": b"2", "x/1.txt": b"1"}


def test_missing_blob_raises_file_not_found(blobs: BlobStore, tmp_path: Path) -> None:
    uri = blobs.uri_for("p", "never-written")

    with pytest.raises(FileNotFoundError):
        blobs.get_bytes(uri)
    with pytest.raises(FileNotFoundError):
        blobs.get_file(uri, str(tmp_path / "x"))
    assert not (tmp_path / "x").exists()


def test_names_that_leave_the_root_are_refused(blobs: BlobStore) -> None:
    with pytest.raises(ValueError, match=r"'\.\./escape'"):
        blobs.put_bytes("p", "../escape", b"x")
    with pytest.raises(ValueError, match="non-empty name"):
        blobs.put_bytes("p", "", b"x")


def test_uploading_a_missing_file_names_it(blobs: BlobStore, tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.csv")

    with pytest.raises(FileNotFoundError, match=r"nope\.csv"):
        blobs.put_file("p", "n", missing)
    with pytest.raises(NotADirectoryError, match=r"nope\.csv"):
        blobs.put_directory("p", "n", missing)


def test_local_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    blobs = BlobStore(str(tmp_path / "blobs"))
    src = tmp_path / "src.bin"
    src.write_bytes(b"s" * 1000)
    _make_tree(tmp_path / "tree")
    for i in range(20):
        blobs.put_bytes("p", f"b{i}", b"x" * i)
        blobs.put_file("p", f"f{i}", str(src))
    blobs.put_directory("p", "d", str(tmp_path / "tree"))
    blobs.put_directory("p", "d", str(tmp_path / "tree"))
    with pytest.raises(FileNotFoundError):
        blobs.put_file("p", "broken", str(tmp_path / "absent"))
    blobs.get_file(blobs.uri_for("p", "f0"), str(tmp_path / "out" / "f0"))

    names = [p.name for p in (tmp_path / "blobs").rglob("*")]
    names += [p.name for p in (tmp_path / "out").rglob("*")]
    assert [n for n in names if n.endswith(".tmp") or n.startswith(".")] == []
    assert len(list((tmp_path / "blobs" / "p").iterdir())) == 41


def test_readers_never_see_a_half_written_blob(tmp_path: Path) -> None:
    blobs = BlobStore(str(tmp_path / "blobs"))
    size = 2_000_000
    uri = blobs.put_bytes("p", "big", b"a" * size)
    stop = threading.Event()
    torn: list[int] = []

    def read() -> None:
        while not stop.is_set():
            data = blobs.get_bytes(uri)
            if len(data) != size or data.count(data[:1]) != size:
                torn.append(len(data))

    reader = threading.Thread(target=read)
    reader.start()
    for i in range(40):
        blobs.put_bytes("p", "big", (b"b" if i % 2 else b"a") * size)
    stop.set()
    reader.join()

    assert torn == []


def test_local_dir_is_an_existing_folder(blobs: BlobStore, tmp_path: Path) -> None:
    assert os.path.isdir(blobs.local_dir())
    chosen = BlobStore(str(tmp_path / "b"), scratch_dir=str(tmp_path / "scratch"))
    assert chosen.local_dir() == str(tmp_path / "scratch")
    assert (tmp_path / "scratch").is_dir()


def test_local_blob_store_imports_neither_fsspec_nor_sqlalchemy(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        sys.path[:0] = {sys.path!r}
        from updraft.store import BlobStore
        blobs = BlobStore({str(tmp_path / "blobs")!r})
        uri = blobs.put_bytes("p", "n", b"x")
        blobs.get_file(uri, {str(tmp_path / "copy")!r})
        assert blobs.get_bytes(uri) == b"x" and blobs.exists(uri)
        print(sorted({{"fsspec", "sqlalchemy", "alembic"}} & set(sys.modules)))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )

    assert out.stdout.strip() == "[]"


def test_a_scratch_folder_the_store_made_is_removed_at_exit(tmp_path: Path) -> None:
    """Downloads of a run that gave no scratch folder must not pile up in the temp folder."""
    script = textwrap.dedent(
        f"""
        import os
        from updraft.store import BlobStore
        blobs = BlobStore({str(tmp_path / "blobs")!r})
        uri = blobs.put_bytes("ex-1/n0/a0", "data.csv", b"x,y\\n1,2\\n")
        dest = os.path.join(blobs.local_dir(), "in-1", "data.csv")
        blobs.get_file(uri, dest)
        print(blobs.local_dir())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    scratch = out.stdout.strip()
    assert scratch
    assert not os.path.exists(scratch)


def test_a_scratch_folder_given_by_the_caller_is_left_alone(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    script = textwrap.dedent(
        f"""
        from updraft.store import BlobStore
        blobs = BlobStore({str(tmp_path / "blobs")!r}, scratch_dir={str(scratch)!r})
        open(blobs.local_dir() + "/kept", "w").close()
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert (scratch / "kept").exists()


def test_uploading_the_same_content_name_twice_keeps_the_first_copy(tmp_path: Path) -> None:
    store = BlobStore(str(tmp_path / "blobs"))
    source = tmp_path / "data.csv"
    source.write_text("a,b\n1,2\n")
    first = store.put_file("inputs", "abc-data.csv", str(source))
    os.utime(first, (1, 1))
    second = store.put_file("inputs", "abc-data.csv", str(source))
    assert second == first and os.stat(first).st_mtime == 1
    assert Path(first).read_text() == "a,b\n1,2\n"
