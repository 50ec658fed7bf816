"""Scalars: int, float, str, bool, bytes, datetime, date, timedelta and None.

They travel inline as a `Scalar` (JSON): bytes as base64 text, dates as ISO text, durations
as float seconds, non-finite floats as ``"nan"``/``"inf"``/``"-inf"`` (JSON has no NaN).
Every converter tests the exact type first, so an ``int`` costs one ``type() is`` check.
Numpy scalars are accepted through the `numbers` ABCs; ``bool`` is never taken for an int.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import numbers
import types

from updraft.model import BlobIO, Literal, LiteralType, Scalar
from updraft.types._errors import bad_literal, mismatch
from updraft.types._registry import Converter

_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_TRUE = frozenset({"true", "1", "yes", "y", "on"})
_FALSE = frozenset({"false", "0", "no", "n", "off"})


def _is_numpy_bool(value: object) -> bool:
    cls = type(value)
    return cls.__module__ == "numpy" and cls.__name__ in ("bool_", "bool")


class IntConverter(Converter):
    """``int``; numpy integers are accepted and stored as plain ints."""

    __slots__ = ()

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        if type(value) is int:
            return Scalar(value)
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return Scalar(int(value))
        raise mismatch("int", value)

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is Scalar:
            value = literal.value
            if type(value) is int:
                return value
        raise bad_literal("int", literal)

    def matches(self, value: object) -> bool:
        return type(value) is int or (
            isinstance(value, numbers.Integral) and not isinstance(value, bool)
        )

    def from_json(self, obj: object) -> object:
        if type(obj) is int:
            return obj
        raise mismatch("int", obj)

    def from_text(self, text: str) -> object:
        try:
            return int(text.strip())
        except ValueError:
            raise self.text_error(text) from None

    def hint(self) -> str:
        return "give a whole number such as 3"

    def json_example(self) -> str:
        return "1"


class FloatConverter(Converter):
    """``float``; an int (not a bool) is accepted and converted."""

    __slots__ = ()

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        if type(value) is float:
            number = value
        elif isinstance(value, numbers.Real) and not isinstance(value, bool):
            number = float(value)
        else:
            raise mismatch("float", value)
        if math.isfinite(number):
            return Scalar(number)
        return Scalar("nan" if number != number else ("inf" if number > 0 else "-inf"))

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is Scalar:
            value = literal.value
            if type(value) is float:
                return value
            if type(value) is int:
                return float(value)
            if type(value) is str and value in _NON_FINITE:
                return _NON_FINITE[value]
        raise bad_literal("float", literal)

    def matches(self, value: object) -> bool:
        return isinstance(value, float) or (
            isinstance(value, numbers.Real)
            and not isinstance(value, numbers.Integral)
            and not isinstance(value, bool)
        )

    def from_json(self, obj: object) -> object:
        if isinstance(obj, int | float) and not isinstance(obj, bool):
            return float(obj)
        if isinstance(obj, str) and obj in _NON_FINITE:
            return _NON_FINITE[obj]
        raise mismatch("float", obj)

    def from_text(self, text: str) -> object:
        try:
            return float(text.strip())
        except ValueError:
            raise self.text_error(text) from None

    def hint(self) -> str:
        return "give a number such as 0.5"

    def json_example(self) -> str:
        return "0.5"


class StrConverter(Converter):
    """``str``; a str subclass (e.g. a StrEnum member) is stored as its plain text."""

    __slots__ = ()

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        if type(value) is str:
            return Scalar(value)
        if isinstance(value, str):
            return Scalar(str.__str__(value))
        raise mismatch("str", value)

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is Scalar:
            value = literal.value
            if type(value) is str:
                return value
        raise bad_literal("str", literal)

    def matches(self, value: object) -> bool:
        return isinstance(value, str)

    def from_json(self, obj: object) -> object:
        if isinstance(obj, str):
            return obj
        raise mismatch("str", obj)

    def from_text(self, text: str) -> object:
        return text

    def json_example(self) -> str:
        return '"text"'


class BoolConverter(Converter):
    """``bool``; on the command line true/false, 1/0, yes/no (any case)."""

    __slots__ = ()

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        if type(value) is bool:
            return Scalar(value)
        if _is_numpy_bool(value):
            return Scalar(bool(value))
        raise mismatch("bool", value)

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is Scalar:
            value = literal.value
            if type(value) is bool:
                return value
        raise bad_literal("bool", literal)

    def matches(self, value: object) -> bool:
        return type(value) is bool or _is_numpy_bool(value)

    def from_json(self, obj: object) -> object:
        if type(obj) is bool:
            return obj
        raise mismatch("bool", obj)

    def from_text(self, text: str) -> object:
        word = text.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise self.text_error(text)

    def hint(self) -> str:
        return "give true or false (also 1/0, yes/no)"

    def json_example(self) -> str:
        return "true"


class BytesConverter(Converter):
    """``bytes``, stored as base64 text; on the command line the text's UTF-8 bytes."""

    __slots__ = ()

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        if isinstance(value, bytes | bytearray | memoryview):
            return Scalar(base64.b64encode(value).decode("ascii"))
        raise mismatch("bytes", value)

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is Scalar and type(literal.value) is str:
            try:
                return base64.b64decode(literal.value, validate=True)
            except binascii.Error:
                pass
        raise bad_literal("bytes", literal)

    def matches(self, value: object) -> bool:
        return isinstance(value, bytes | bytearray | memoryview)

    def from_json(self, obj: object) -> object:
        if isinstance(obj, str):
            try:
                return base64.b64decode(obj, validate=True)
            except binascii.Error:
                pass
        raise mismatch("bytes (base64 text)", obj)

    def from_text(self, text: str) -> object:
        return text.encode("utf-8")

    def json_example(self) -> str:
        return '"aGVsbG8="'


class DatetimeConverter(Converter):
    """``datetime.datetime`` as ISO text; a timezone, if any, is kept."""

    __slots__ = ()

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        if type(value) is dt.datetime:
            return Scalar(value.isoformat())
        if isinstance(value, dt.datetime):  # e.g. pandas.Timestamp: drop sub-microseconds
            plain = dt.datetime(
                value.year,
                value.month,
                value.day,
                value.hour,
                value.minute,
                value.second,
                value.microsecond,
                value.tzinfo,
                fold=value.fold,
            )
            return Scalar(plain.isoformat())
        raise mismatch("datetime", value)

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is Scalar and type(literal.value) is str:
            try:
                return dt.datetime.fromisoformat(literal.value)
            except ValueError:
                pass
        raise bad_literal("datetime", literal)

    def matches(self, value: object) -> bool:
        return isinstance(value, dt.datetime)

    def from_json(self, obj: object) -> object:
        if isinstance(obj, str):
            try:
                return dt.datetime.fromisoformat(obj)
            except ValueError:
                pass
        raise mismatch("datetime (ISO text)", obj)

    def from_text(self, text: str) -> object:
        try:
            return dt.datetime.fromisoformat(text.strip())
        except ValueError:
            raise self.text_error(text) from None

    def hint(self) -> str:
        return "give an ISO date-time such as 2024-05-01T12:30:00"

    def json_example(self) -> str:
        return '"2024-05-01T12:30:00"'


class DateConverter(Converter):
    """``datetime.date`` as ISO text; a datetime is refused rather than silently cut."""

    __slots__ = ()

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return Scalar(value.isoformat())
        raise mismatch("date", value, "call .date() on a datetime")

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is Scalar and type(literal.value) is str:
            try:
                return dt.date.fromisoformat(literal.value)
            except ValueError:
                pass
        raise bad_literal("date", literal)

    def matches(self, value: object) -> bool:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)

    def from_json(self, obj: object) -> object:
        if isinstance(obj, str):
            try:
                return dt.date.fromisoformat(obj)
            except ValueError:
                pass
        raise mismatch("date (ISO text)", obj)

    def from_text(self, text: str) -> object:
        try:
            return dt.date.fromisoformat(text.strip())
        except ValueError:
            raise self.text_error(text) from None

    def hint(self) -> str:
        return "give an ISO date such as 2024-05-01"

    def json_example(self) -> str:
        return '"2024-05-01"'


class TimedeltaConverter(Converter):
    """``datetime.timedelta`` as float seconds."""

    __slots__ = ()

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        if isinstance(value, dt.timedelta):
            return Scalar(value.total_seconds())
        raise mismatch("timedelta", value)

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is Scalar:
            value = literal.value
            if isinstance(value, int | float) and not isinstance(value, bool):
                return dt.timedelta(seconds=value)
        raise bad_literal("timedelta", literal)

    def matches(self, value: object) -> bool:
        return isinstance(value, dt.timedelta)

    def from_json(self, obj: object) -> object:
        if isinstance(obj, int | float) and not isinstance(obj, bool):
            return dt.timedelta(seconds=obj)
        raise mismatch("timedelta (seconds)", obj)

    def from_text(self, text: str) -> object:
        try:
            return dt.timedelta(seconds=float(text.strip()))
        except (ValueError, OverflowError):
            raise self.text_error(text) from None

    def hint(self) -> str:
        return "give a number of seconds such as 90 or 1.5"

    def json_example(self) -> str:
        return "90"


class NoneConverter(Converter):
    """``None``: the only value is None; on the command line 'none', 'null' or nothing."""

    __slots__ = ()

    def to_literal(self, value: object, blob_io: BlobIO, prefix: str) -> Literal:
        if value is None:
            return Scalar(None)
        raise mismatch("None", value)

    def to_python(self, literal: Literal, blob_io: BlobIO) -> object:
        if type(literal) is Scalar and literal.value is None:
            return None
        raise bad_literal("None", literal)

    def matches(self, value: object) -> bool:
        return value is None

    def from_json(self, obj: object) -> object:
        if obj is None:
            return None
        raise mismatch("None", obj)

    def from_text(self, text: str) -> object:
        if text.strip().lower() in ("none", "null", ""):
            return None
        raise self.text_error(text)

    def hint(self) -> str:
        return "give none"

    def name(self) -> str:
        return "None"


_SCALARS: dict[object, tuple[type[Converter], str]] = {
    int: (IntConverter, "int"),
    float: (FloatConverter, "float"),
    str: (StrConverter, "str"),
    bool: (BoolConverter, "bool"),
    bytes: (BytesConverter, "bytes"),
    dt.datetime: (DatetimeConverter, "datetime"),
    dt.date: (DateConverter, "date"),
    dt.timedelta: (TimedeltaConverter, "timedelta"),
    None: (NoneConverter, "none"),
    types.NoneType: (NoneConverter, "none"),
}


def match(annotation: object, base: object, metadata: tuple[object, ...]) -> Converter | None:
    """The scalar converter for ``base`` if it is one of the scalar types."""
    try:
        entry = _SCALARS.get(base)
    except TypeError:
        return None
    if entry is None:
        return None
    cls, kind = entry
    return cls(annotation, LiteralType(kind))
