"""`Directory`: a folder tree that travels between tasks through the blob store.

Its hash covers every file's relative path and content (not timestamps, not the folder's own
location, and not empty sub-folders), so the same tree written twice gives the same cache key.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

from updraft.model import Blob, BlobIO, Literal, LiteralType
from updraft.types._errors import TypeConversionError, bad_literal, mismatch
from updraft.types._lazy import LazyPath, base_name, file_digest, stored_name
from updraft.types._registry import Converter


class Directory(LazyPath):
    """A folder, given as a local path or any fsspec URL.

    Inside a task, an input Directory is fetched on first use of its local path
    (``os.fspath(d)``, ``d.path``, ``d.download()``, ``d.listing()``).

    Args:
        path: a local folder or an fsspec URL such as ``s3://bucket/images/``.

    Example::

        @task
        def count_images(images: Directory) -> int:
            return sum(1 for p in images.listing() if p.endswith(".png"))
    """

    __slots__ = ()

    def listing(self) -> list[str]:
        """Relative paths (with ``/``) of every file in the tree, sorted."""
        return [rel for rel, _ in _files(self.path)]

    def walk(self) -> Iterator[tuple[str, list[str], list[str]]]:
        """`os.walk` over the local copy."""
        return os.walk(self.path)

    def _fetch_blob(self, blob_io: BlobIO, uri: str, dest: str) -> None:
        blob_io.get_directory(uri, dest)

    def _fetch_remote(self, url: str, dest: str) -> None:
        import fsspec

        fs, root = fsspec.core.url_to_fs(url)
        root = root.rstrip("/")
        for remote in fs.find(root):
            rel = remote[len(root) :].lstrip("/")
            target = os.path.join(dest, *rel.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            fs.get_file(remote, target)
        os.makedirs(dest, exist_ok=True)


def _files(root: str) -> list[tuple[str, str]]:
    """(relative path with ``/``, absolute path) of every file under ``root``, sorted."""
    found: list[tuple[str, str]] = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            found.append((rel, full))
    found.sort()
    return found


def directory_digest(root: str) -> tuple[str, int, int]:
    """SHA-256 over relative paths and contents, total size and number of files."""
    digest = hashlib.sha256()
    size = 0
    files = _files(root)
    for rel, full in files:
        file_hash, file_size = file_digest(full)
        encoded = rel.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big") + encoded + bytes.fromhex(file_hash))
        size += file_size
    return digest.hexdigest(), size, len(files)


class DirectoryConverter(Converter):
    """`Directory` values; a str or os.PathLike path is accepted for an output too."""

    __slots__ = ()

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        if isinstance(value, Directory):
            folder = value
        elif isinstance(value, str | os.PathLike) and not isinstance(value, LazyPath):
            folder = Directory(value)
        else:
            raise mismatch("Directory", value, "return Directory(path)")
        if folder.blob is not None and folder.blob.kind == "directory":
            return folder.blob
        local = folder.path
        if not os.path.isdir(local):
            what = "is a file (use File)" if os.path.isfile(local) else "does not exist"
            raise TypeConversionError(f"Directory {local!r} {what}")
        digest, size, count = directory_digest(local)
        name = base_name(local) or "dir"
        uri = blob_io.put_directory(prefix, stored_name(digest, name), local)
        preview = f"{name}/ ({count} file{'s' if count != 1 else ''})"
        return Blob(uri, digest, "directory", size=size, preview=preview)

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is Blob and literal.kind == "directory":
            return Directory._from_blob(literal, blob_io)
        raise bad_literal("Directory", literal)

    def matches(self, value: object) -> bool:
        return isinstance(value, Directory)

    def from_json(self, obj: object) -> object:
        if isinstance(obj, str):
            return Directory(obj)
        raise mismatch("Directory (a path or URL)", obj)

    def from_text(self, text: str) -> object:
        if not text.strip():
            raise self.text_error(text)
        return Directory(text)

    def hint(self) -> str:
        return "give a folder path or URL such as data/images"

    def json_example(self) -> str:
        return '"data/images"'


def match(annotation: object, base: object, metadata: tuple[object, ...]) -> Converter | None:
    """The Directory converter for `Directory` (and subclasses)."""
    if isinstance(base, type) and issubclass(base, Directory):
        return DirectoryConverter(annotation, LiteralType("directory"))
    return None
