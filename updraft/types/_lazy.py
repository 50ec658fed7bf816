"""What `File` and `Directory` share: a path that may still have to be fetched.

A value of either is one of three things: a local path, a remote fsspec URL (``s3://...``),
or a blob of the store that a task received as an input. The last two are fetched on first
use of the local path (``os.fspath``, ``.path``, ``.download()``) and never before, so a
task that only passes a large file along never downloads it. fsspec is imported only when a
remote URL is actually fetched.
"""

from __future__ import annotations

import hashlib
import os
import re

from updraft.model import Blob, BlobIO

_CHUNK = 1 << 20


def is_remote(path: str) -> bool:
    """Whether ``path`` is a URL of some fsspec file system rather than a local path."""
    return "://" in path and not path.startswith("file://")


def local_path(path: str) -> str:
    """``path`` without a ``file://`` scheme."""
    return path[len("file://") :] if path.startswith("file://") else path


def file_digest(path: str) -> tuple[str, int]:
    """SHA-256 (hex) and size of a local file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def stored_name(digest: str, name: str) -> str:
    """The name a blob is stored under: content-addressed, keeping the original name."""
    return f"{digest[:16]}-{name}" if name else digest[:16]


def original_name(blob: Blob, fallback: str) -> str:
    """The name a blob had before it was stored (see `stored_name`)."""
    last = re.split(r"[/\\]", blob.uri.rstrip("/\\"))[-1]
    marker = f"{blob.hash[:16]}-"
    if last.startswith(marker) and len(last) > len(marker):
        return last[len(marker) :]
    return last or fallback


def scratch_dir(blob_io: BlobIO) -> str:
    """A fresh folder under the store's local folder, so two downloads never collide."""
    import tempfile  # lazily: it pulls in `random`, a few ms at import

    root = blob_io.local_dir()
    os.makedirs(root, exist_ok=True)
    return tempfile.mkdtemp(prefix="in-", dir=root)


def _download_dir() -> str:
    """A fresh folder for a URL fetched outside any store, removed when the interpreter
    exits (the value, and so its path, may be used until then)."""
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="updraft-download-")
    atexit.register(shutil.rmtree, folder, True)
    return folder


def base_name(path: str) -> str:
    """The last component of a path or URL, ignoring a trailing separator."""
    return re.split(r"[/\\]", path.rstrip("/\\"))[-1]


class LazyPath(os.PathLike[str]):
    """A local path, a remote URL or a stored blob, fetched to a local path on first use."""

    __slots__ = ("_blob", "_blob_io", "_local", "_source")

    def __init__(self, path: str | os.PathLike[str]) -> None:
        if isinstance(path, LazyPath):
            self._source: str = path._source
            self._local: str | None = path._local
            self._blob: Blob | None = path._blob
            self._blob_io: BlobIO | None = path._blob_io
            return
        if not isinstance(path, str | os.PathLike):
            raise TypeError(
                f"{type(self).__name__}() takes a path or URL (str or os.PathLike), "
                f"got {type(path).__name__}"
            )
        source = os.fspath(path)
        self._source = source
        self._local = None if is_remote(source) else local_path(source)
        self._blob = None
        self._blob_io = None

    @classmethod
    def _from_blob(cls, blob: Blob, blob_io: BlobIO) -> LazyPath:
        """A value that refers to a stored blob and is fetched through ``blob_io`` on use."""
        obj = cls.__new__(cls)
        obj._source = blob.uri
        obj._local = None
        obj._blob = blob
        obj._blob_io = blob_io
        return obj

    @property
    def uri(self) -> str | None:
        """The blob URI when this value came from the store, else None."""
        return self._blob.uri if self._blob is not None else None

    @property
    def blob(self) -> Blob | None:
        """The stored blob this value refers to, or None for a path the user gave."""
        return self._blob

    @property
    def name(self) -> str:
        """The file or folder name, without its directory."""
        if self._blob is not None:
            return original_name(self._blob, "data")
        return base_name(self._source)

    @property
    def path(self) -> str:
        """The local path, fetching the data first if it is remote or stored."""
        return self.download()

    @property
    def is_local(self) -> bool:
        """Whether the data is already on this machine (no fetch needed for `path`)."""
        return self._local is not None

    def download(self) -> str:
        """Fetch the data if needed and return its local path."""
        if self._local is not None:
            return self._local
        if self._blob is not None and self._blob_io is not None:
            dest = os.path.join(scratch_dir(self._blob_io), self.name)
            self._fetch_blob(self._blob_io, self._blob.uri, dest)
        else:
            dest = os.path.join(_download_dir(), self.name)
            self._fetch_remote(self._source, dest)
        self._local = dest
        return dest

    def _fetch_blob(self, blob_io: BlobIO, uri: str, dest: str) -> None:
        raise NotImplementedError

    def _fetch_remote(self, url: str, dest: str) -> None:
        raise NotImplementedError

    def __fspath__(self) -> str:
        return self.download()

    def __str__(self) -> str:
        """The local path when known, else the URL; never fetches (use `path` for that)."""
        return self._local if self._local is not None else self._source

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._source!r})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, LazyPath)
        if self._blob is not None and other._blob is not None:
            return self._blob.hash == other._blob.hash
        if self._blob is None and other._blob is None:
            return self._source == other._source
        return False

    def __hash__(self) -> int:
        return hash(self._blob.hash if self._blob is not None else self._source)
