"""`File`: a single file that travels between tasks through the blob store.

A task that returns a File with a local path gets it uploaded under its attempt's prefix;
one that returns a File it received passes the same blob on without uploading it again. The
blob's hash is the SHA-256 of the content, so equal files at different paths give equal
cache keys.
"""

from __future__ import annotations

import os
import shutil
from typing import IO, Any

from updraft.model import Blob, BlobIO, Literal, LiteralType
from updraft.types._errors import TypeConversionError, bad_literal, mismatch
from updraft.types._lazy import LazyPath, base_name, file_digest, stored_name
from updraft.types._registry import Converter


class File(LazyPath):
    """A file, given as a local path or any fsspec URL.

    Inside a task, an input File is fetched on first use of its local path (``os.fspath(f)``,
    ``f.path``, ``f.open()``, ``f.download()``). ``str(f)`` never fetches: it is the local path
    when known, else the URL.

    Args:
        path: a local path (relative paths are read from the working directory when the
            value is converted) or an fsspec URL such as ``s3://bucket/data.csv``.

    Example::

        @task
        def count_lines(data: File) -> int:
            with data.open("rt") as f:
                return sum(1 for _ in f)
    """

    __slots__ = ()

    def open(self, mode: str = "rb", **kwargs: Any) -> IO[Any]:
        """Open the local copy (fetching it first if needed); arguments as for `open`."""
        return open(self.path, mode, **kwargs)

    def _fetch_blob(self, blob_io: BlobIO, uri: str, dest: str) -> None:
        blob_io.get_file(uri, dest)

    def _fetch_remote(self, url: str, dest: str) -> None:
        import fsspec

        with fsspec.open(url, "rb") as src, open(dest, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lstrip(".").lower()


class FileConverter(Converter):
    """`File` values; a str or os.PathLike path is accepted for an output too."""

    __slots__ = ()

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        if isinstance(value, File):
            file = value
        elif isinstance(value, str | os.PathLike) and not isinstance(value, LazyPath):
            file = File(value)
        else:
            raise mismatch("File", value, "return File(path)")
        if file.blob is not None and file.blob.kind == "file":
            return file.blob
        local = file.path
        if not os.path.isfile(local):
            what = "is a directory (use Directory)" if os.path.isdir(local) else "does not exist"
            raise TypeConversionError(f"File {local!r} {what}")
        digest, size = file_digest(local)
        name = base_name(local)
        uri = blob_io.put_file(prefix, stored_name(digest, name), local)
        return Blob(uri, digest, "file", format=_extension(name), size=size, preview=name)

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is Blob and literal.kind == "file":
            return File._from_blob(literal, blob_io)
        raise bad_literal("File", literal)

    def matches(self, value: object) -> bool:
        return isinstance(value, File)

    def from_json(self, obj: object) -> object:
        if isinstance(obj, str):
            return File(obj)
        raise mismatch("File (a path or URL)", obj)

    def from_text(self, text: str) -> object:
        if not text.strip():
            raise self.text_error(text)
        return File(text)

    def hint(self) -> str:
        return "give a path or URL such as data/train.csv"

    def json_example(self) -> str:
        return '"data/train.csv"'


def match(annotation: object, base: object, metadata: tuple[object, ...]) -> Converter | None:
    """The File converter for `File` (and subclasses)."""
    if isinstance(base, type) and issubclass(base, File):
        return FileConverter(annotation, LiteralType("file"))
    return None
