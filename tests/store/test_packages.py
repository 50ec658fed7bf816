"""Code packages in the blob store: content-addressed upload, safe and atomic extraction."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import stat
import threading
import zipfile
from pathlib import Path

import pytest

from updraft.model import CodePackage
from updraft.store import BlobStore, CodePackageError, extract_package, store_package


def make_zip(members: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture
def blobs(tmp_path: Path) -> BlobStore:
    return BlobStore(str(tmp_path / "blobs"))


MEMBERS = {
    "flow.py": b"def answer() -> int:\n    return 42\n",
    "lib/__init__.py": b"",
    "lib/data.csv": b"a,b\n1,2\n",
}


def test_store_is_content_addressed_and_uploads_once(blobs: BlobStore) -> None:
    archive = make_zip(MEMBERS)
    code = store_package(blobs, archive)
    digest = hashlib.sha256(archive).hexdigest()
    assert code.digest == digest
    assert code.uri == os.path.join(blobs.root, "code", f"{digest}.zip")
    assert blobs.get_bytes(code.uri) == archive
    before = os.stat(code.uri).st_mtime_ns
    assert store_package(blobs, archive) == code
    assert os.stat(code.uri).st_mtime_ns == before
    assert os.listdir(os.path.join(blobs.root, "code")) == [f"{digest}.zip"]


def test_extract_gives_the_project_root_once_per_digest(blobs: BlobStore, tmp_path: Path) -> None:
    code = store_package(blobs, make_zip(MEMBERS))
    cache = tmp_path / "cache"
    folder = extract_package(code, blobs, str(cache))
    assert folder == str(cache / code.digest)
    assert tree(Path(folder)) == MEMBERS
    os.remove(code.uri)  # a second call reuses the folder and never downloads
    assert extract_package(code, blobs, str(cache)) == folder
    assert os.listdir(cache) == [code.digest]


def test_digest_mismatch_names_the_uri(blobs: BlobStore, tmp_path: Path) -> None:
    code = store_package(blobs, make_zip(MEMBERS))
    Path(code.uri).write_bytes(make_zip({"flow.py": b"tampered = True\n"}))
    with pytest.raises(CodePackageError, match="does not match its digest") as info:
        extract_package(code, blobs, str(tmp_path / "cache"))
    assert code.uri in str(info.value)
    assert not (tmp_path / "cache" / code.digest).exists()


def test_malformed_digest_is_refused(blobs: BlobStore, tmp_path: Path) -> None:
    code = CodePackage(uri=str(tmp_path / "x.zip"), digest="../../etc")
    with pytest.raises(CodePackageError, match="64 lowercase hex"):
        extract_package(code, blobs, str(tmp_path / "cache"))


@pytest.mark.parametrize("name", ["../evil.py", "/tmp/evil.py", "lib/../../evil.py", "C:/evil.py"])
def test_zip_slip_is_refused(blobs: BlobStore, tmp_path: Path, name: str) -> None:
    code = store_package(blobs, make_zip({"flow.py": b"x = 1\n", name: b"owned = True\n"}))
    cache = tmp_path / "cache"
    with pytest.raises(CodePackageError, match="outside the extraction folder") as info:
        extract_package(code, blobs, str(cache))
    assert repr(name) in str(info.value) and code.uri in str(info.value)
    assert os.listdir(cache) == []  # nothing extracted, no temporary folder left
    assert not (tmp_path / "evil.py").exists()


def test_links_and_non_zips_are_refused(blobs: BlobStore, tmp_path: Path) -> None:
    linked = store_package(blobs, make_zip({"flow.py": b""}, links=("passwd",)))
    with pytest.raises(CodePackageError, match="symbolic link 'passwd'"):
        extract_package(linked, blobs, str(tmp_path / "cache"))
    garbage = store_package(blobs, b"not a zip at all")
    with pytest.raises(CodePackageError, match="is not a zip archive"):
        extract_package(garbage, blobs, str(tmp_path / "cache"))


BIG = {f"pkg/m{i:03}.py": os.urandom(4096) for i in range(300)}


def _check_one_complete_folder(cache: Path, code: CodePackage, folders: list[str]) -> None:
    assert folders == [str(cache / code.digest)] * len(folders)
    assert os.listdir(cache) == [code.digest]  # no temporary folders left behind
    assert tree(cache / code.digest) == BIG


def test_concurrent_extraction_in_threads(blobs: BlobStore, tmp_path: Path) -> None:
    code = store_package(blobs, make_zip(BIG))
    cache = tmp_path / "cache"
    barrier = threading.Barrier(6)
    folders: list[str] = []

    def extract() -> None:
        barrier.wait()
        folders.append(extract_package(code, blobs, str(cache)))

    threads = [threading.Thread(target=extract) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _check_one_complete_folder(cache, code, folders)


def _extract_in_child(
    code: CodePackage, root: str, cache: str, barrier: object, out: multiprocessing.Queue[str]
) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    out.put(extract_package(code, BlobStore(root), cache))


def test_concurrent_extraction_in_processes(blobs: BlobStore, tmp_path: Path) -> None:
    code = store_package(blobs, make_zip(BIG))
    cache = tmp_path / "cache"
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    out: multiprocessing.Queue[str] = context.Queue()
    children = [
        context.Process(target=_extract_in_child, args=(code, blobs.root, str(cache), barrier, out))
        for _ in range(2)
    ]
    for child in children:
        child.start()
    folders = [out.get(timeout=60) for _ in children]
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    _check_one_complete_folder(cache, code, folders)
