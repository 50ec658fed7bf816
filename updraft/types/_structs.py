"""Structs: dataclasses, NamedTuples and pydantic models, stored as a `Map` of their fields.

Each field goes through its own converter, so a dataclass may hold files, frames, enums or
other dataclasses. The literal type names the class (``module.Qualname``) and lists the
fields; reading back builds the annotated class from the fields it declares (fields the
stored value has in excess are ignored, missing ones take the class's defaults), which lets
a struct gain an optional field without breaking stored values. Pydantic is never imported
here: a class can only be a pydantic model if pydantic is already loaded.
"""

from __future__ import annotations

import dataclasses
import sys
import typing
from collections.abc import Callable

from updraft.model import BlobIO, Literal, LiteralType, Map
from updraft.types._errors import TypeAnnotationError, TypeConversionError, bad_literal, mismatch
from updraft.types._registry import Converter, converter_for, type_name


class StructConverter(Converter):
    """A class with named, annotated fields.

    ``build`` makes an instance from a dict of converted field values; ``init_fields`` are the
    names it takes (the others, e.g. dataclass ``init=False`` fields, are set afterwards).
    """

    __slots__ = ("build", "cls", "fields", "init_fields")

    def __init__(
        self,
        annotation: object,
        cls: type,
        fields: dict[str, Converter],
        build: Callable[[dict[str, object]], object],
        init_fields: frozenset[str],
    ) -> None:
        lt = LiteralType(
            "struct",
            name=type_name(cls),
            fields=tuple((n, c.literal_type) for n, c in fields.items()),
        )
        super().__init__(annotation, lt)
        self.cls = cls
        self.fields = fields
        self.build = build
        self.init_fields = init_fields

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        if not isinstance(value, self.cls):
            raise mismatch(self.describe(), value, f"return a {self.cls.__name__} instance")
        items: dict[str, Literal] = {}
        for name, converter in self.fields.items():
            try:
                items[name] = converter.to_literal(getattr(value, name), blob_io, prefix)
            except TypeConversionError as err:
                raise err.at(f".{name}") from None
        return Map(items)

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is not Map:
            raise bad_literal(self.describe(), literal)
        values: dict[str, object] = {}
        for name, item in literal.items.items():
            converter = self.fields.get(name)
            if converter is None:
                continue
            try:
                values[name] = converter.to_python(item, blob_io)
            except TypeConversionError as err:
                raise err.at(f".{name}") from None
        return self._make(values)

    def matches(self, value: object) -> bool:
        return isinstance(value, self.cls)

    def from_json(self, obj: object) -> object:
        if isinstance(obj, self.cls):
            return obj
        if not isinstance(obj, dict):
            raise mismatch(self.describe(), obj)
        unknown = sorted(set(obj) - set(self.fields))
        if unknown:
            raise TypeConversionError(
                f"{self.describe()} has no field(s) {', '.join(map(repr, unknown))}; "
                f"its fields are {', '.join(self.fields)}"
            )
        values: dict[str, object] = {}
        for name, item in obj.items():
            try:
                values[name] = self.fields[name].from_json(item)
            except TypeConversionError as err:
                raise err.at(f".{name}") from None
        return self._make(values)

    def _make(self, values: dict[str, object]) -> object:
        init = {k: v for k, v in values.items() if k in self.init_fields}
        try:
            instance = self.build(init)
        except (TypeError, ValueError) as err:
            raise TypeConversionError(f"cannot build {self.describe()}: {err}") from None
        for name, value in values.items():
            if name not in self.init_fields:
                object.__setattr__(instance, name, value)
        return instance

    def json_example(self) -> str:
        parts = [f'"{n}": {c.json_example()}' for n, c in list(self.fields.items())[:3]]
        return "{" + ", ".join(parts) + "}"

    def name(self) -> str:
        return self.cls.__name__


def _hints(cls: type) -> dict[str, object]:
    try:
        return typing.get_type_hints(cls, include_extras=True)
    except Exception as err:  # NameError for an unresolved forward reference, and others
        raise TypeAnnotationError(
            f"cannot resolve the field annotations of {type_name(cls)}: {err}; define the "
            "types it refers to at module level"
        ) from err


def _field_converters(
    cls: type, names: list[str], hints: dict[str, object]
) -> dict[str, Converter]:
    converters: dict[str, Converter] = {}
    for name in names:
        if name not in hints:
            raise TypeAnnotationError(
                f"field {name!r} of {type_name(cls)} has no type annotation; annotate it"
            )
        try:
            converters[name] = converter_for(hints[name])
        except TypeAnnotationError as err:
            raise TypeAnnotationError(f"field {name!r} of {type_name(cls)}: {err}") from None
    return converters


def _dataclass(annotation: object, cls: type) -> Converter:
    fields = dataclasses.fields(cls)
    hints = _hints(cls)
    converters = _field_converters(cls, [f.name for f in fields], hints)
    init = frozenset(f.name for f in fields if f.init)
    return StructConverter(annotation, cls, converters, lambda kw: cls(**kw), init)


def _namedtuple(annotation: object, cls: type) -> Converter:
    names = list(cls._fields)  # type: ignore[attr-defined]
    converters = _field_converters(cls, names, _hints(cls))
    return StructConverter(annotation, cls, converters, lambda kw: cls(**kw), frozenset(names))


def _pydantic(annotation: object, cls: type) -> Converter:
    model_fields: dict[str, typing.Any] = dict(cls.model_fields)  # type: ignore[attr-defined]
    hints = _hints(cls)
    for name, info in model_fields.items():
        hints.setdefault(name, info.annotation)
    converters = _field_converters(cls, list(model_fields), hints)
    keys = {name: _input_key(name, info) for name, info in model_fields.items()}

    def build(values: dict[str, object]) -> object:
        return cls.model_validate({keys[k]: v for k, v in values.items()})  # type: ignore[attr-defined]

    return StructConverter(annotation, cls, converters, build, frozenset(model_fields))


def _input_key(name: str, info: typing.Any) -> str:
    """The key pydantic's validation expects for a field: its validation alias, alias or name."""
    for key in (info.validation_alias, info.alias):
        if isinstance(key, str):
            return key
    return name


def _is_pydantic_model(cls: type) -> bool:
    pydantic = sys.modules.get("pydantic")
    if pydantic is None:
        return False
    base: type = pydantic.BaseModel
    return issubclass(cls, base) and cls is not base


def match(annotation: object, base: object, metadata: tuple[object, ...]) -> Converter | None:
    """A struct converter for dataclasses, NamedTuples and pydantic models."""
    if not isinstance(base, type):
        return None
    if dataclasses.is_dataclass(base):
        return _dataclass(annotation, base)
    if issubclass(base, tuple) and hasattr(base, "_fields"):
        return _namedtuple(annotation, base)
    if _is_pydantic_model(base):
        return _pydantic(annotation, base)
    return None
