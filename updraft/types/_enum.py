"""Enums: stored as the member's value, read back as the member.

The literal type records the enum's import path and its members' values, so a workflow
compiled against one version of an enum shows what it expected. Member values must be JSON
scalars (str, int, float, bool); an enum of tuples has no inline form.
"""

from __future__ import annotations

import enum

from updraft.model import BlobIO, Literal, LiteralType, Scalar
from updraft.types._errors import TypeAnnotationError, bad_literal, mismatch
from updraft.types._registry import Converter, type_name


class EnumConverter(Converter):
    """One `enum.Enum` subclass."""

    __slots__ = ("by_text", "cls")

    def __init__(self, annotation: object, cls: type[enum.Enum]) -> None:
        members = list(cls)
        for member in members:
            if not isinstance(member.value, str | int | float | bool):
                raise TypeAnnotationError(
                    f"enum {type_name(cls)}: member {member.name} has value "
                    f"{member.value!r}; only str, int, float or bool values are supported"
                )
        lt = LiteralType("enum", name=type_name(cls), values=tuple(str(m.value) for m in members))
        super().__init__(annotation, lt)
        self.cls = cls
        self.by_text: dict[str, enum.Enum] = {str(m.value): m for m in members}
        for member in members:
            self.by_text.setdefault(member.name, member)

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        if isinstance(value, self.cls):
            return Scalar(value.value)
        try:
            return Scalar(self.cls(value).value)
        except (ValueError, TypeError):
            raise mismatch(self.describe(), value, f"give one of {self._choices()}") from None

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is Scalar:
            try:
                return self.cls(literal.value)
            except ValueError:
                pass
        raise bad_literal(self.describe(), literal)

    def matches(self, value: object) -> bool:
        return isinstance(value, self.cls)

    def from_json(self, obj: object) -> object:
        try:
            return self.cls(obj)
        except (ValueError, TypeError):
            pass
        if isinstance(obj, str) and obj in self.by_text:
            return self.by_text[obj]
        raise mismatch(self.describe(), obj, f"give one of {self._choices()}")

    def from_text(self, text: str) -> object:
        member = self.by_text.get(text.strip())
        if member is None:
            raise self.text_error(text)
        return member

    def hint(self) -> str:
        return f"give one of {self._choices()}"

    def json_example(self) -> str:
        first = next(iter(self.cls))
        value = first.value
        return f'"{value}"' if isinstance(value, str) else str(value).lower()

    def _choices(self) -> str:
        return ", ".join(str(m.value) for m in self.cls)


def match(annotation: object, base: object, metadata: tuple[object, ...]) -> Converter | None:
    """An enum converter when ``base`` is an Enum subclass."""
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return EnumConverter(annotation, base)
    return None
