"""`BlobStore`: files, directories and bytes in a local folder or any fsspec location.

It implements the model's `BlobIO`, which is all the type engine sees. A local folder takes a
fast path with ``os`` and ``shutil`` only: importing fsspec costs more than a whole task, so
it is imported on first use of a remote URL, never for local work.

Writes never leave a half-written blob behind: locally, data goes to a hidden temporary name
in the destination folder and is renamed into place; on object stores (S3, GCS, Azure,
``memory://``) a single upload is already all-or-nothing. Reads accept any URI, not only those
under the root, because users hand in ``https://`` or ``s3://`` files as inputs.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import posixpath
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any


def _as_local(uri: str) -> str | None:
    """The path on this machine that ``uri`` names, or None when it is a remote URL.

    A plain path and a ``file://`` URL are local; anything else with ``://`` is remote.
    """
    if uri.startswith("file://"):
        return uri[len("file://") :]
    if "://" in uri:
        return None
    return uri


def _parts(prefix: str, name: str) -> list[str]:
    """The path components of ``prefix/name`` under the root, refusing to leave it."""
    parts = [p for p in f"{prefix}/{name}".replace("\\", "/").split("/") if p not in ("", ".")]
    if ".." in parts or not name.strip("/. "):
        raise ValueError(
            f"blob location prefix={prefix!r}, name={name!r} is not a relative path inside the "
            "blob store: use a non-empty name and no '..' components"
        )
    return parts


def _hidden_temp(dest: str) -> str:
    folder, base = os.path.split(dest)
    return os.path.join(folder, f".{base}.{uuid.uuid4().hex[:12]}.tmp")


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


class BlobStore:
    """Blob storage under one root: a local folder or an fsspec URL.

    Args:
        root: a folder path (created when missing) or a URL such as ``s3://bucket/prefix``
            or ``memory://name``.
        storage_options: passed to fsspec for the root's filesystem (credentials, endpoint).
        scratch_dir: where `local_dir` puts downloads; a new temporary folder by default.

    Example:
        >>> blobs = BlobStore(str(tmp_path / "blobs"))
        >>> uri = blobs.put_bytes("exec-1/n0/a0", "o0.json", b"42")
        >>> blobs.get_bytes(uri)
        b'42'
    """

    def __init__(
        self,
        root: str,
        *,
        storage_options: Mapping[str, Any] | None = None,
        scratch_dir: str | None = None,
    ) -> None:
        local = _as_local(root)
        self._local_root = os.path.abspath(os.path.expanduser(local)) if local is not None else None
        self._root = self._local_root or root.rstrip("/")
        self._options = dict(storage_options or {})
        self._fs: Any = None
        self._fs_root = ""
        self._scratch = scratch_dir
        self._lock = threading.Lock()
        if self._local_root is not None:
            os.makedirs(self._local_root, exist_ok=True)

    @property
    def root(self) -> str:
        """The root as an absolute folder path or a URL without a trailing slash."""
        return self._root

    @property
    def is_local(self) -> bool:
        """True when the root is a folder on this machine."""
        return self._local_root is not None

    def __repr__(self) -> str:
        return f"BlobStore({self._root!r})"

    # -- writing -------------------------------------------------------------------------

    def uri_for(self, prefix: str, name: str) -> str:
        """The URI that `put_bytes` and friends return for ``prefix`` and ``name``."""
        parts = _parts(prefix, name)
        if self._local_root is not None:
            return os.path.join(self._local_root, *parts)
        return "/".join([self._root, *parts])

    def put_bytes(self, prefix: str, name: str, data: bytes) -> str:
        """Write ``data`` to ``<root>/<prefix>/<name>`` in one piece and return its URI."""
        uri = self.uri_for(prefix, name)
        if self._local_root is None:
            fs, path = self._remote(uri)
            _write_remote(fs, path, lambda: fs.pipe_file(path, data))
            return uri
        os.makedirs(os.path.dirname(uri), exist_ok=True)
        tmp = _hidden_temp(uri)
        try:
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, uri)
        except BaseException:
            _remove(tmp)
            raise
        return uri

    def put_file(self, prefix: str, name: str, local_path: str) -> str:
        """Upload the file at ``local_path`` to ``<root>/<prefix>/<name>``; return its URI.

        In a local folder an existing file of the same size at the destination is kept:
        writes are atomic, so it is complete, and callers that name blobs by content (run
        inputs do) get the upload for free the second time.
        """
        if not os.path.isfile(local_path):
            raise FileNotFoundError(
                f"cannot upload {local_path!r} to the blob store at {self._root}: it is not a "
                "file; check the path (directories go through put_directory)"
            )
        uri = self.uri_for(prefix, name)
        if self._local_root is None:
            fs, path = self._remote(uri)
            _write_remote(fs, path, lambda: fs.put_file(local_path, path))
            return uri
        with contextlib.suppress(OSError):
            if os.path.getsize(uri) == os.path.getsize(local_path):
                return uri
        os.makedirs(os.path.dirname(uri), exist_ok=True)
        tmp = _hidden_temp(uri)
        try:
            shutil.copyfile(local_path, tmp)
            os.replace(tmp, uri)
        except BaseException:
            _remove(tmp)
            raise
        return uri

    def put_directory(self, prefix: str, name: str, local_path: str) -> str:
        """Upload the tree at ``local_path`` to ``<root>/<prefix>/<name>``; return its URI.

        Locally the tree is copied beside its destination and renamed into place, so readers
        see all of it or none of it. On object stores each file is one upload.
        """
        if not os.path.isdir(local_path):
            raise NotADirectoryError(
                f"cannot upload {local_path!r} to the blob store at {self._root} as a "
                "directory: it is not one; check the path (files go through put_file)"
            )
        uri = self.uri_for(prefix, name)
        if self._local_root is None:
            fs, path = self._remote(uri)
            for folder, _dirs, files in os.walk(local_path):
                rel = os.path.relpath(folder, local_path)
                target = path if rel == "." else posixpath.join(path, *rel.split(os.sep))
                for file in files:
                    src, dest = os.path.join(folder, file), posixpath.join(target, file)
                    _write_remote(fs, dest, functools.partial(fs.put_file, src, dest))
            return uri
        os.makedirs(os.path.dirname(uri), exist_ok=True)
        tmp = _hidden_temp(uri)
        try:
            shutil.copytree(local_path, tmp, symlinks=False)
            _replace_directory(tmp, uri)
        except BaseException:
            _remove(tmp)
            raise
        return uri

    # -- reading -------------------------------------------------------------------------

    def get_bytes(self, uri: str) -> bytes:
        """Read the whole blob at ``uri`` (any local path or fsspec URL)."""
        path = _as_local(uri)
        if path is not None:
            with open(path, "rb") as f:
                return f.read()
        fs, remote = self._remote(uri)
        data: bytes = fs.cat_file(remote)
        return data

    def get_file(self, uri: str, local_path: str) -> None:
        """Download the file at ``uri`` to ``local_path`` (parent folders are created).

        The file appears complete or not at all: it is fetched to a temporary name first.
        """
        os.makedirs(os.path.dirname(os.path.abspath(local_path)), exist_ok=True)
        tmp = _hidden_temp(os.path.abspath(local_path))
        try:
            source = _as_local(uri)
            if source is not None:
                shutil.copyfile(source, tmp)
            else:
                fs, remote = self._remote(uri)
                fs.get_file(remote, tmp)
            os.replace(tmp, local_path)
        except BaseException:
            _remove(tmp)
            raise

    def get_directory(self, uri: str, local_path: str) -> None:
        """Download the tree at ``uri`` into ``local_path`` (created; existing files stay)."""
        os.makedirs(local_path, exist_ok=True)
        source = _as_local(uri)
        if source is not None:
            if not os.path.isdir(source):
                raise NotADirectoryError(
                    f"cannot download {uri!r} as a directory: it is not one on this machine"
                )
            shutil.copytree(source, local_path, dirs_exist_ok=True)
            return
        fs, remote = self._remote(uri)
        base = remote.rstrip("/")
        files = fs.find(base)
        if not files and not fs.isdir(base):
            raise FileNotFoundError(f"no directory at {uri!r}; check the URI")
        for file in files:
            rel = posixpath.relpath(file, base)
            target = os.path.join(local_path, *rel.split("/"))
            self.get_file(_unstrip(file, uri, remote), target)

    def exists(self, uri: str) -> bool:
        """Whether a file or directory is at ``uri``."""
        path = _as_local(uri)
        if path is not None:
            return os.path.exists(path)
        fs, remote = self._remote(uri)
        return bool(fs.exists(remote))

    def as_local_path(self, uri: str) -> str | None:
        """The path of ``uri`` on this machine, or None when it must be downloaded.

        Lets a reader use a blob in place instead of copying it when the store is local.
        """
        return _as_local(uri)

    def local_dir(self) -> str:
        """A scratch folder on this machine for downloads, created on first use.

        A folder this store made itself (no ``scratch_dir`` given) is removed when the
        interpreter exits, not earlier: values read from it may outlive the store.
        """
        with self._lock:
            if self._scratch is None:
                self._scratch = tempfile.mkdtemp(prefix="updraft-scratch-")
                atexit.register(shutil.rmtree, self._scratch, True)
            else:
                os.makedirs(self._scratch, exist_ok=True)
            return self._scratch

    # -- remote access -------------------------------------------------------------------

    def _remote(self, uri: str) -> tuple[Any, str]:
        """The fsspec filesystem and path for a remote ``uri``; the root's options apply to
        URIs under the root."""
        import fsspec.core

        if self._local_root is None and (uri == self._root or uri.startswith(self._root + "/")):
            with self._lock:
                if self._fs is None:
                    self._fs, self._fs_root = fsspec.core.url_to_fs(self._root, **self._options)
            return self._fs, self._fs_root.rstrip("/") + uri[len(self._root) :]
        fs, path = fsspec.core.url_to_fs(uri)
        return fs, path


def _write_remote(fs: Any, path: str, write: Callable[[], object]) -> None:
    """Run ``write``; where the filesystem has real folders and the parent is missing, create
    it and try again. Object stores have no folders, so they pay for no extra request."""
    try:
        write()
    except FileNotFoundError:
        fs.makedirs(posixpath.dirname(path), exist_ok=True)
        write()


def _unstrip(path: str, uri: str, remote: str) -> str:
    """The URI of ``path``, a file found under ``remote`` (the stripped form of ``uri``)."""
    return uri.rstrip("/") + path[len(remote.rstrip("/")) :]


def _replace_directory(src: str, dest: str) -> None:
    """Move the folder ``src`` to ``dest``, replacing what was there."""
    try:
        os.rename(src, dest)
        return
    except OSError:
        if not os.path.exists(dest):
            raise
    old = _hidden_temp(dest)
    os.rename(dest, old)
    os.rename(src, dest)
    _remove(old)
