"""The converter registry: one `Converter` per annotation, built once and cached.

Each type family (primitives, containers, structs, ...) contributes a *matcher*: a function
that looks at an annotation and returns a converter for it or None. `converter_for` asks the
matchers in registration order and caches the answer per annotation, so the hot path
(`to_literal(3, int, ...)`) is one dict lookup and one method call, never a chain of
isinstance tests over every family. This module knows no family; `_families` registers them.
"""

from __future__ import annotations

import contextlib
import json
import threading
import typing
import warnings
from collections.abc import Callable

from updraft.model import BlobIO, Literal, LiteralType
from updraft.types._errors import TypeAnnotationError, TypeConversionError

#: ``(annotation, base, metadata) -> Converter | None``; ``base`` is the annotation without
#: ``Annotated[...]`` and ``metadata`` the extras that ``Annotated`` carried.
Matcher = Callable[[object, object, tuple[object, ...]], "Converter | None"]


class Converter:
    """Converts values of one annotation to and from literals, JSON and command-line text.

    Subclasses override what their family supports. The defaults of the text methods go
    through JSON, which suits containers and structs; scalars override `from_text`.
    """

    __slots__ = ("annotation", "literal_type")

    def __init__(self, annotation: object, literal_type: LiteralType) -> None:
        self.annotation = annotation
        self.literal_type = literal_type

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        """The literal for ``value``; raises `TypeConversionError` when it does not fit."""
        raise NotImplementedError

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        """The Python value of ``literal``; raises `TypeConversionError` when it does not fit."""
        raise NotImplementedError

    def matches(self, value: object) -> bool:
        """Whether ``value`` is exactly of this type (no lenient conversion); picks union
        variants so that ``3`` goes to ``int`` rather than to an earlier ``float``."""
        raise NotImplementedError

    def from_json(self, obj: object) -> object:
        """The Python value for ``obj`` as decoded from JSON text (CLI and defaults)."""
        raise TypeConversionError(f"values of type {self.describe()} cannot be given as text")

    def from_text(self, text: str) -> object:
        """The Python value for a command-line string."""
        try:
            obj = json.loads(text)
        except ValueError:
            raise self.text_error(text) from None
        try:
            return self.from_json(obj)
        except TypeConversionError as err:
            hint = self.hint()
            message = f"expected {self.describe()}, got {text!r}: {err}"
            raise TypeConversionError(f"{message}; {hint}" if hint else message) from None

    def text_error(self, text: str) -> TypeConversionError:
        """The error for command-line text that does not parse: expected, got, how to fix."""
        hint = self.hint()
        message = f"expected {self.describe()}, got {text!r}"
        return TypeConversionError(f"{message}; {hint}" if hint else message)

    def hint(self) -> str:
        """How to write a value of this type on the command line."""
        return f"give JSON such as {self.json_example()}"

    def json_example(self) -> str:
        """A small JSON example of a value of this type, for hints."""
        return "null"

    def describe(self) -> str:
        """A short human name of the annotation: an alias if one is known, else `name`."""
        try:
            alias = _aliases.get(self.annotation)
        except TypeError:
            alias = None
        return alias if alias is not None else self.name()

    def name(self) -> str:
        """The structural short name, e.g. ``list[int]``."""
        return self.literal_type.describe()


_matchers: list[Matcher] = []
_cache: dict[object, Converter] = {}
_aliases: dict[object, str] = {}
_local = threading.local()


def register(matcher: Matcher) -> None:
    """Add a family; matchers are asked in the order they were registered."""
    _matchers.append(matcher)
    _cache.clear()


def register_alias(annotation: object, name: str) -> None:
    """Remember that ``annotation`` is known in user code as ``name`` (e.g. ``Features``)."""
    with contextlib.suppress(TypeError):
        _aliases.setdefault(annotation, name)


def converter_for(annotation: object) -> Converter:
    """The cached converter of ``annotation``.

    Raises:
        TypeAnnotationError: the annotation is not supported; the message says what to use.
    """
    try:
        return _cache[annotation]
    except KeyError:
        pass
    except TypeError:  # unhashable metadata in Annotated[...]: build it every time
        return _build(annotation)
    converter = _build(annotation)
    _cache[annotation] = converter
    return converter


def build_quietly(annotation: object) -> Converter:
    """The converter of ``annotation`` without caching it or emitting warnings (for messages:
    a warning due at decoration time must not be used up by an error message)."""
    try:
        cached = _cache.get(annotation)
    except TypeError:
        cached = None
    if cached is not None:
        return cached
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _build(annotation)


def _build(annotation: object) -> Converter:
    base: object = annotation
    metadata: tuple[object, ...] = ()
    if typing.get_origin(annotation) is typing.Annotated:
        base = annotation.__origin__  # type: ignore[attr-defined]
        metadata = tuple(annotation.__metadata__)  # type: ignore[attr-defined]
    resolving: list[object] = _local.__dict__.setdefault("resolving", [])
    if any(r is base for r in resolving):
        raise TypeAnnotationError(
            f"type {type_name(base)} refers to itself; recursive types are not supported, "
            "use a non-recursive dataclass or typing.Any (pickled)"
        )
    resolving.append(base)
    try:
        for matcher in _matchers:
            converter = matcher(annotation, base, metadata)
            if converter is not None:
                return converter
    finally:
        resolving.pop()
    raise TypeAnnotationError(f"unsupported annotation {annotation!r}")


def type_name(tp: object) -> str:
    """The import path of a class (``module.Qualname``), or the annotation's repr."""
    module = getattr(tp, "__module__", None)
    qualname = getattr(tp, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str):
        return qualname if module == "builtins" else f"{module}.{qualname}"
    return repr(tp)
