"""Lists and string-keyed dicts: ``list[T]``, ``tuple[T, ...]``, ``dict[str, T]``.

A list becomes a `Collection`, a dict a `Map`, each element converted by the element's own
converter. Bare ``list``/``dict`` (and ``typing.List`` without arguments) are refused at
decoration time, because the element type decides how each element travels; so are dicts
with non-str keys (JSON objects have string keys) and sets (their order is not stable, so
their content hash would not be either).
"""

from __future__ import annotations

import collections.abc as cabc
import typing

from updraft.model import BlobIO, Collection, Literal, LiteralType, Map
from updraft.types._errors import (
    TypeAnnotationError,
    TypeConversionError,
    bad_literal,
    mismatch,
)
from updraft.types._registry import Converter, converter_for

_LIST_ORIGINS = (list, cabc.Sequence, cabc.MutableSequence)
_DICT_ORIGINS = (dict, cabc.Mapping, cabc.MutableMapping)


class ListConverter(Converter):
    """``list[T]`` (or ``tuple[T, ...]``, rebuilt as a tuple)."""

    __slots__ = ("as_tuple", "element")

    def __init__(self, annotation: object, element: Converter, as_tuple: bool) -> None:
        super().__init__(annotation, LiteralType("list", args=(element.literal_type,)))
        self.element = element
        self.as_tuple = as_tuple

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        if not isinstance(value, list | tuple) and (
            not isinstance(value, cabc.Sequence) or isinstance(value, str | bytes)
        ):
            raise mismatch(self.describe(), value)
        convert = self.element.to_literal
        items: list[Literal] = []
        try:
            for item in value:
                items.append(convert(item, blob_io, prefix))
        except TypeConversionError as err:
            raise err.at(f"[{len(items)}]") from None
        return Collection(tuple(items))

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is not Collection:
            raise bad_literal(self.describe(), literal)
        convert = self.element.to_python
        values: list[object] = []
        try:
            for item in literal.items:
                values.append(convert(item, blob_io))
        except TypeConversionError as err:
            raise err.at(f"[{len(values)}]") from None
        return tuple(values) if self.as_tuple else values

    def matches(self, value: object) -> bool:
        return isinstance(value, list | tuple)

    def from_json(self, obj: object) -> object:
        if not isinstance(obj, list):
            raise mismatch(self.describe(), obj)
        values: list[object] = []
        try:
            for item in obj:
                values.append(self.element.from_json(item))
        except TypeConversionError as err:
            raise err.at(f"[{len(values)}]") from None
        return tuple(values) if self.as_tuple else values

    def json_example(self) -> str:
        first = self.element.json_example()
        second = {"1": "2", "0.5": "1.5", '"text"': '"more"'}.get(first, first)
        return f"[{first}, {second}]"

    def name(self) -> str:
        inner = self.element.describe()
        return f"tuple[{inner}, ...]" if self.as_tuple else f"list[{inner}]"


class DictConverter(Converter):
    """``dict[str, T]``."""

    __slots__ = ("value",)

    def __init__(self, annotation: object, value: Converter) -> None:
        super().__init__(annotation, LiteralType("dict", args=(value.literal_type,)))
        self.value = value

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        if not isinstance(value, cabc.Mapping):
            raise mismatch(self.describe(), value)
        convert = self.value.to_literal
        items: dict[str, Literal] = {}
        for key, item in value.items():
            if type(key) is not str:
                raise TypeConversionError(
                    f"expected dict with str keys, got key {key!r} of type {type(key).__name__}"
                )
            try:
                items[key] = convert(item, blob_io, prefix)
            except TypeConversionError as err:
                raise err.at(f"[{key!r}]") from None
        return Map(items)

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is not Map:
            raise bad_literal(self.describe(), literal)
        convert = self.value.to_python
        values: dict[str, object] = {}
        for key, item in literal.items.items():
            try:
                values[key] = convert(item, blob_io)
            except TypeConversionError as err:
                raise err.at(f"[{key!r}]") from None
        return values

    def matches(self, value: object) -> bool:
        return isinstance(value, cabc.Mapping)

    def from_json(self, obj: object) -> object:
        if not isinstance(obj, dict):
            raise mismatch(self.describe(), obj)
        values: dict[str, object] = {}
        for key, item in obj.items():
            try:
                values[key] = self.value.from_json(item)
            except TypeConversionError as err:
                raise err.at(f"[{key!r}]") from None
        return values

    def json_example(self) -> str:
        return f'{{"key": {self.value.json_example()}}}'

    def name(self) -> str:
        return f"dict[str, {self.value.describe()}]"


def match(annotation: object, base: object, metadata: tuple[object, ...]) -> Converter | None:
    """Converters for list/tuple/dict annotations; errors for the incomplete forms."""
    if base is list or base is typing.List:  # noqa: UP006
        raise TypeAnnotationError(
            "bare 'list' does not say what the list holds; annotate it as list[T], "
            "e.g. list[int] or list[str]"
        )
    if base is dict or base is typing.Dict:  # noqa: UP006
        raise TypeAnnotationError(
            "bare 'dict' does not say what the dict holds; annotate it as dict[str, T], "
            "e.g. dict[str, float]"
        )
    if base is tuple or base is typing.Tuple:  # noqa: UP006
        raise TypeAnnotationError(
            "bare 'tuple' does not say what it holds; annotate it as tuple[T, ...] or list[T]"
        )
    if base in (set, frozenset):
        raise TypeAnnotationError(
            f"{base.__name__} is not supported: its order is not stable, so neither would "
            "its cache key be; use list[T] and sort it"
        )
    origin = typing.get_origin(base)
    if origin is None:
        return None
    args = typing.get_args(base)
    if origin in _LIST_ORIGINS:
        if len(args) != 1:
            raise TypeAnnotationError(f"{base!r} needs one element type, e.g. list[int]")
        return ListConverter(annotation, converter_for(args[0]), as_tuple=False)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return ListConverter(annotation, converter_for(args[0]), as_tuple=True)
        raise TypeAnnotationError(
            f"{base!r} as a value type is not supported; use tuple[T, ...], a dataclass or "
            "a NamedTuple (a tuple[...] return annotation names several outputs instead)"
        )
    if origin in _DICT_ORIGINS:
        if len(args) != 2:
            raise TypeAnnotationError(f"{base!r} needs key and value types: dict[str, T]")
        if args[0] is not str:
            raise TypeAnnotationError(
                f"{base!r} has keys of type {getattr(args[0], '__name__', args[0])}; only str "
                "keys are supported (JSON objects have string keys): use dict[str, T] with "
                "str(key) keys, or a list of dataclasses"
            )
        return DictConverter(annotation, converter_for(args[1]))
    if origin in (set, frozenset, cabc.Set, cabc.MutableSet):
        raise TypeAnnotationError(
            f"{base!r} is not supported: a set's order is not stable, so neither would its "
            "cache key be; use list[T] and sort it"
        )
    return None
