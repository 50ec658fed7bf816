"""Lists, dicts, unions and enums: shape, round trip and the errors for bad annotations."""

from __future__ import annotations

import enum
import typing
from typing import Optional, Union

import pytest

from updraft.model import Collection, LiteralType, Map, Scalar, UnionValue
from updraft.types import (
    TypeAnnotationError,
    TypeConversionError,
    to_literal,
    to_literal_type,
    to_python,
)


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


def test_list_and_dict_round_trip(roundtrip) -> None:
    assert roundtrip([1, 2, 3], list[int]) == [1, 2, 3]
    assert roundtrip({"a": [1, 2], "b": []}, dict[str, list[int]]) == {"a": [1, 2], "b": []}
    assert roundtrip((1.5, 2.5), tuple[float, ...]) == (1.5, 2.5)
    assert roundtrip([[["x"]]], list[list[list[str]]]) == [[["x"]]]


def test_containers_become_collections_and_maps(blob_io) -> None:
    assert to_literal([1, 2], list[int], blob_io, "p") == Collection((Scalar(1), Scalar(2)))
    assert to_literal({"k": 1}, dict[str, int], blob_io, "p") == Map({"k": Scalar(1)})
    assert to_literal_type(dict[str, list[int]]) == LiteralType(
        "dict", args=(LiteralType("list", args=(LiteralType("int"),)),)
    )


def test_typing_aliases_work_like_builtins(roundtrip) -> None:
    assert to_literal_type(typing.List[int]) == to_literal_type(list[int])  # noqa: UP006
    assert to_literal_type(typing.Dict[str, int]) == to_literal_type(dict[str, int])  # noqa: UP006
    assert roundtrip([1], typing.Sequence[int]) == [1]


def test_element_errors_say_where(blob_io) -> None:
    with pytest.raises(TypeConversionError, match=r"expected int, got str 'x' \(at \[2\]\)"):
        to_literal([1, 2, "x"], list[int], blob_io, "p")
    with pytest.raises(TypeConversionError, match=r"at \['b'\]\[0\]"):
        to_literal({"a": [1], "b": ["no"]}, dict[str, list[int]], blob_io, "p")
    with pytest.raises(TypeConversionError, match="str keys"):
        to_literal({1: 2}, dict[str, int], blob_io, "p")
    with pytest.raises(TypeConversionError, match=r"expected list\[int\], got str"):
        to_literal("abc", list[int], blob_io, "p")


@pytest.mark.parametrize(
    ("annotation", "advice"),
    [
        (list, r"list\[T\]"),
        (typing.List, r"list\[T\]"),  # noqa: UP006
        (dict, r"dict\[str, T\]"),
        (typing.Dict, r"dict\[str, T\]"),  # noqa: UP006
        (dict[int, str], r"dict\[str, T\]"),
        (set[int], r"list\[T\]"),
        (tuple[int, str], "dataclass"),
        (typing.Literal["a", "b"], "Enum"),
    ],
)
def test_incomplete_annotations_are_refused_with_advice(annotation: object, advice: str) -> None:
    with pytest.raises(TypeAnnotationError, match=advice):
        to_literal_type(annotation)


def test_optional_and_union_round_trip(roundtrip) -> None:
    assert roundtrip(None, Optional[int]) is None  # noqa: UP045
    assert roundtrip(4, int | None) == 4
    assert roundtrip("a", Union[int, str]) == "a"  # noqa: UP007
    assert roundtrip([None, 1], list[int | None]) == [None, 1]


def test_union_types_and_variant_choice(blob_io) -> None:
    assert to_literal_type(Optional[int]) == LiteralType(  # noqa: UP045
        "union", args=(LiteralType("int"), LiteralType("none"))
    )
    assert to_literal(None, int | None, blob_io, "p") == UnionValue(1, Scalar(None))
    # exact type first: 3 stays an int in float | int; an int still fits float | None
    assert to_literal(3, float | int, blob_io, "p") == UnionValue(1, Scalar(3))
    back = to_python(to_literal(3, float | None, blob_io, "p"), float | None, blob_io)
    assert back == 3.0 and type(back) is float
    assert to_literal(True, int | bool, blob_io, "p") == UnionValue(1, Scalar(True))


def test_union_mismatch_names_the_union(blob_io) -> None:
    with pytest.raises(TypeConversionError, match=r"expected int \| None, got str 'x'"):
        to_literal("x", Optional[int], blob_io, "p")  # noqa: UP045


def test_enum_round_trip_and_type(roundtrip, blob_io) -> None:
    assert roundtrip(Color.GREEN, Color) is Color.GREEN
    assert roundtrip(Level.HIGH, Level) is Level.HIGH
    assert to_literal(Color.RED, Color, blob_io, "p") == Scalar("red")
    lt = to_literal_type(Color)
    assert lt.kind == "enum"
    assert lt.name == f"{__name__}.Color"
    assert lt.values == ("red", "green")


def test_enum_rejects_unknown_values(blob_io) -> None:
    with pytest.raises(TypeConversionError, match="red, green"):
        to_literal("blue", Color, blob_io, "p")
