"""The type engine's functions: annotation to type, value to literal and back, CLI text.

Each is a cached converter lookup followed by one call, so the hot path (``int``, ``str``,
``float`` values of a chain of tasks) costs a dict lookup and a type check.
"""

from __future__ import annotations

from updraft.model import BlobIO, Literal, LiteralType
from updraft.types import _families  # noqa: F401  (registers the families)
from updraft.types._errors import TypeAnnotationError, TypeConversionError
from updraft.types._registry import build_quietly, converter_for


def to_literal_type(annotation: object) -> LiteralType:
    """The `LiteralType` of a Python annotation; cached per annotation.

    Args:
        annotation: e.g. ``int``, ``list[str]``, ``Optional[File]``, a dataclass,
            ``Annotated[pd.DataFrame, Columns(age=int)]``.

    Raises:
        TypeAnnotationError: the annotation is incomplete (bare ``list``) or unsupported.

    Example::

        to_literal_type(list[int])  # LiteralType(kind='list', args=(LiteralType('int'),))
    """
    return converter_for(annotation).literal_type


def to_literal(value: object, annotation: object, blob_io: BlobIO, prefix: str) -> Literal:
    """Convert ``value`` of type ``annotation`` to a `Literal`, writing blobs under ``prefix``.

    Args:
        value: the Python value.
        annotation: its declared type.
        blob_io: where files, frames and pickles are written.
        prefix: a location unique to the writer (the attempt), so writes never collide.

    Raises:
        TypeConversionError: the value does not match the annotation.
        TypeAnnotationError: the annotation is unsupported.

    Example::

        to_literal(3, int, blob_io, "run/n0/1")  # Scalar(value=3)
    """
    return converter_for(annotation).to_literal(value, blob_io, prefix)


def to_python(literal: Literal, annotation: object, blob_io: BlobIO) -> object:
    """Convert a `Literal` back to a Python value of type ``annotation``.

    Files and directories come back lazy: they are fetched on first use of their path.

    Raises:
        TypeConversionError: the literal does not fit the annotation.

    Example::

        to_python(Scalar(3), int, blob_io)  # 3
    """
    return converter_for(annotation).to_python(literal, blob_io)


def parse_text(text: str, annotation: object) -> object:
    """Parse a command-line string as a value of type ``annotation``.

    int/float/str/bool (true/false, 1/0, yes/no), ISO datetime/date, timedelta as seconds,
    an enum by value or name, list/dict/dataclass/pydantic as JSON, 'none' for Optional, a
    path or URL for File/Directory, a .csv or .parquet path for a data frame.

    Raises:
        TypeConversionError: ``expected list[int], got 'x'; give JSON such as [1, 1]``.

    Example::

        parse_text("[1, 2]", list[int])  # [1, 2]
    """
    return converter_for(annotation).from_text(text)


def describe(annotation: object) -> str:
    """A short human name of an annotation for messages: ``int``, ``list[int]``, ``File``,
    ``DataFrame``, or the alias it has in user code (``Features``) when known.

    Never raises: an unsupported annotation is described by its name.
    """
    try:
        return build_quietly(annotation).describe()
    except (TypeAnnotationError, TypeConversionError):
        return str(getattr(annotation, "__name__", None) or repr(annotation))
