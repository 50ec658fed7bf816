"""`NoBlobStore`: the blob I/O handed over where there is no blob store.

Three places convert values before any store exists: a function's defaults (to learn which
convert inline), a launch plan's inputs (which must be inline) and the constants in a
workflow body (which cannot be written anywhere). Each hands in a `NoBlobStore` and catches
`BlobStoreUnavailable`, then says in its own words what the user should do instead.
"""

from __future__ import annotations

from updraft.types._errors import TypeConversionError

_DEFAULT_REASON = "this value would have to be written to the blob store, and there is none here"


class BlobStoreUnavailable(TypeConversionError):
    """A conversion needed the blob store and was handed a `NoBlobStore`.

    A `TypeConversionError`, so containers add their step to ``path`` and unions try their
    other members, as for any value that does not convert; `at` keeps the class, so a caller
    can still tell this case from a plain mismatch after the error left a container.
    """

    def at(self, step: str) -> BlobStoreUnavailable:
        """The same error one level further out, still a `BlobStoreUnavailable`."""
        return BlobStoreUnavailable(self.reason, path=step + self.path)


class NoBlobStore:
    """A `updraft.model.BlobIO` that refuses every operation with `BlobStoreUnavailable`.

    Args:
        reason: the refusal's message, which a caller that lets it reach the user words as
            a hint (e.g. "make it an input of the workflow instead").
    """

    def __init__(self, reason: str = _DEFAULT_REASON) -> None:
        self.reason = reason

    def put_bytes(self, prefix: str, name: str, data: bytes) -> str:
        raise BlobStoreUnavailable(self.reason)

    def get_bytes(self, uri: str) -> bytes:
        raise BlobStoreUnavailable(self.reason)

    def put_file(self, prefix: str, name: str, local_path: str) -> str:
        raise BlobStoreUnavailable(self.reason)

    def put_directory(self, prefix: str, name: str, local_path: str) -> str:
        raise BlobStoreUnavailable(self.reason)

    def get_file(self, uri: str, local_path: str) -> None:
        raise BlobStoreUnavailable(self.reason)

    def get_directory(self, uri: str, local_path: str) -> None:
        raise BlobStoreUnavailable(self.reason)

    def local_dir(self) -> str:
        raise BlobStoreUnavailable(self.reason)
