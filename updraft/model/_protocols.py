"""Small interfaces that lower layers declare and higher layers implement."""

from __future__ import annotations

from typing import Protocol


class BlobIO(Protocol):
    """Byte and file access to the blob store, as the type engine needs it.

    URIs are whatever the store returns from `put_*` (a local path or an fsspec URL).
    ``prefix`` is a location unique to the attempt that writes, so writes never collide.
    """

    def put_bytes(self, prefix: str, name: str, data: bytes) -> str:
        """Store ``data`` under ``prefix`` and return its URI."""
        ...

    def get_bytes(self, uri: str) -> bytes:
        """Read a whole blob."""
        ...

    def put_file(self, prefix: str, name: str, local_path: str) -> str:
        """Upload a local file and return its URI."""
        ...

    def put_directory(self, prefix: str, name: str, local_path: str) -> str:
        """Upload a local directory tree and return its URI."""
        ...

    def get_file(self, uri: str, local_path: str) -> None:
        """Download a file blob to ``local_path``."""
        ...

    def get_directory(self, uri: str, local_path: str) -> None:
        """Download a directory blob into ``local_path``."""
        ...

    def local_dir(self) -> str:
        """A scratch folder on this machine for downloads."""
        ...
