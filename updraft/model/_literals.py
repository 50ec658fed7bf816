"""Values and their types as they travel between processes and are stored.

A `LiteralType` describes a Python annotation without referring to Python objects, so a
spec written on one machine can be read on another. A `Literal` is a value of such a type:
small values inline as JSON, large ones (files, frames, pickles) as a `Blob` reference.
This module does no I/O and knows nothing of Python classes beyond their names.
"""

from __future__ import annotations

import hashlib
from typing import Final

import msgspec

#: Kinds of `LiteralType`. Scalars first, then containers, then blob-backed kinds.
SCALAR_KINDS: Final = frozenset(
    {"int", "float", "str", "bool", "bytes", "datetime", "date", "timedelta", "none"}
)
CONTAINER_KINDS: Final = frozenset({"list", "dict", "union", "struct", "enum"})
BLOB_KINDS: Final = frozenset({"file", "directory", "dataframe", "pickle"})
ALL_KINDS: Final = SCALAR_KINDS | CONTAINER_KINDS | BLOB_KINDS


class LiteralType(msgspec.Struct, frozen=True, omit_defaults=True, forbid_unknown_fields=True):
    """The type of a task input or output, independent of any Python process.

    ``kind`` is one of `ALL_KINDS`. ``args`` holds element types (``list``: one, ``dict``:
    one for the values, ``union``: the variants in order). ``name`` is the import path of
    the Python class for ``struct``, ``enum``, ``pickle`` and ``dataframe`` (which of pandas
    or pyarrow), used for messages and to rebuild the value. ``fields`` are a struct's fields,
    ``values`` an enum's members, ``columns`` a data frame's declared schema.
    """

    kind: str
    args: tuple[LiteralType, ...] = ()
    name: str = ""
    fields: tuple[tuple[str, LiteralType], ...] = ()
    values: tuple[str, ...] = ()
    columns: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        """A short human form such as ``list[int]`` or ``File``, for error messages."""
        if self.kind == "list":
            return f"list[{self.args[0].describe()}]"
        if self.kind == "dict":
            return f"dict[str, {self.args[0].describe()}]"
        if self.kind == "union":
            return " | ".join(a.describe() for a in self.args)
        if self.kind in ("struct", "enum", "pickle", "dataframe") and self.name:
            return self.name.rsplit(".", 1)[-1]
        if self.kind == "file":
            return "File"
        if self.kind == "directory":
            return "Directory"
        return self.kind


class Scalar(msgspec.Struct, frozen=True, tag="scalar"):
    """An inline JSON value: int, float, str, bool or None (bytes and dates as strings)."""

    value: int | float | str | bool | None


class Blob(msgspec.Struct, frozen=True, tag="blob", omit_defaults=True):
    """A reference to data in the blob store, never the data itself.

    ``hash`` is the SHA-256 of the content, so two equal files give equal cache keys
    wherever they are stored. ``preview`` is a short text for people (CLI, console).
    """

    uri: str
    hash: str
    kind: str
    format: str = ""
    size: int = 0
    preview: str = ""


class Collection(msgspec.Struct, frozen=True, tag="list"):
    """A list of literals."""

    items: tuple[Literal, ...]


class Map(msgspec.Struct, frozen=True, tag="map"):
    """A string-keyed mapping: a ``dict[str, T]`` or the fields of a dataclass/model."""

    items: dict[str, Literal]


class UnionValue(msgspec.Struct, frozen=True, tag="union"):
    """A value of a union type, with the index of the variant it was converted as."""

    variant: int
    value: Literal


Literal = Scalar | Blob | Collection | Map | UnionValue

_hash_encoder = msgspec.json.Encoder(order="sorted")


def _hash_view(literal: Literal) -> object:
    """The part of a literal that defines its content: blobs by content hash, not location."""
    if isinstance(literal, Scalar):
        return literal
    if isinstance(literal, Blob):
        return ("blob", literal.kind, literal.format, literal.hash)
    if isinstance(literal, Collection):
        return ("list", [_hash_view(i) for i in literal.items])
    if isinstance(literal, Map):
        return ("map", {k: _hash_view(v) for k, v in literal.items.items()})
    return ("union", literal.variant, _hash_view(literal.value))


def literal_hash(literal: Literal) -> str:
    """SHA-256 of a literal's content; the same value gives the same hash on any machine."""
    return hashlib.sha256(_hash_encoder.encode(_hash_view(literal))).hexdigest()


def literals_hash(literals: dict[str, Literal]) -> str:
    """SHA-256 of a set of named literals, independent of their order."""
    view = {k: _hash_view(v) for k, v in literals.items()}
    return hashlib.sha256(_hash_encoder.encode(view)).hexdigest()
