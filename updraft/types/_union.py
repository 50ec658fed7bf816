"""Unions and Optional: ``int | str``, ``Optional[X]`` (the union of X and None).

A value is stored as a `UnionValue` holding the index of the variant it was converted as, so
reading it back needs no guessing. Writing picks the first variant the value is exactly an
instance of (so ``3`` goes to ``int`` in ``float | int``); only when none is, the first
variant that accepts it after conversion (``3`` to ``float`` in ``float | None``).
"""

from __future__ import annotations

import types
import typing

from updraft.model import BlobIO, Literal, LiteralType, UnionValue
from updraft.types._errors import TypeConversionError, bad_literal, short_repr
from updraft.types._registry import Converter, converter_for


class UnionConverter(Converter):
    """A union of converters, tried in declaration order."""

    __slots__ = ("none_index", "variants")

    def __init__(self, annotation: object, variants: tuple[Converter, ...]) -> None:
        lt = LiteralType("union", args=tuple(v.literal_type for v in variants))
        super().__init__(annotation, lt)
        self.variants = variants
        self.none_index = next(
            (i for i, v in enumerate(variants) if v.literal_type.kind == "none"), -1
        )

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        if value is None and self.none_index >= 0:
            return UnionValue(
                self.none_index, self.variants[self.none_index].to_literal(None, blob_io, prefix)
            )
        tried: list[int] = []
        errors: list[TypeConversionError] = []
        for index, variant in enumerate(self.variants):
            if variant.matches(value):
                tried.append(index)
                try:
                    return UnionValue(index, variant.to_literal(value, blob_io, prefix))
                except TypeConversionError as err:
                    errors.append(err)
        for index, variant in enumerate(self.variants):
            if index in tried:
                continue
            try:
                return UnionValue(index, variant.to_literal(value, blob_io, prefix))
            except TypeConversionError as err:
                errors.append(err)
        detail = "; ".join(str(e) for e in errors)
        raise TypeConversionError(
            f"expected {self.describe()}, got {type(value).__name__} {short_repr(value)}"
            + (f" ({detail})" if detail and len(errors) < 4 else "")
        )

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is UnionValue and 0 <= literal.variant < len(self.variants):
            return self.variants[literal.variant].to_python(literal.value, blob_io)
        raise bad_literal(self.describe(), literal)

    def matches(self, value: object) -> bool:
        return any(v.matches(value) for v in self.variants)

    def from_json(self, obj: object) -> object:
        if obj is None and self.none_index >= 0:
            return None
        for variant in self.variants:
            try:
                return variant.from_json(obj)
            except TypeConversionError:
                continue
        raise TypeConversionError(
            f"expected {self.describe()}, got {type(obj).__name__} {short_repr(obj)}"
        )

    def from_text(self, text: str) -> object:
        if self.none_index >= 0 and text.strip().lower() in ("none", "null"):
            return None
        for variant in self.variants:
            if variant.literal_type.kind == "none":
                continue
            try:
                return variant.from_text(text)
            except TypeConversionError:
                continue
        raise self.text_error(text)

    def hint(self) -> str:
        hints = [v.hint() for v in self.variants if v.literal_type.kind != "none"]
        if self.none_index >= 0:
            hints.append("give none for no value")
        return "; or ".join(h for h in hints if h)

    def json_example(self) -> str:
        return self.variants[0].json_example()

    def name(self) -> str:
        return " | ".join(v.describe() for v in self.variants)


def match(annotation: object, base: object, metadata: tuple[object, ...]) -> Converter | None:
    """A union converter for ``Union[...]``, ``Optional[...]`` and ``X | Y``."""
    origin = typing.get_origin(base)
    if origin is not typing.Union and origin is not types.UnionType:
        return None
    variants = tuple(converter_for(arg) for arg in typing.get_args(base))
    return UnionConverter(annotation, variants)
