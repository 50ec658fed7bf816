"""typing.Any and unknown classes are pickled, with a warning naming the type."""

from __future__ import annotations

import typing
import warnings

import pytest

from updraft.model import Blob, LiteralType
from updraft.types import TypeConversionError, to_literal, to_literal_type


class Opaque:
    def __init__(self, value: int) -> None:
        self.value = value


class Other:
    pass


class Fresh:
    pass


def test_unknown_class_warns_naming_the_type() -> None:
    with pytest.warns(UserWarning, match=rf"{__name__}\.Fresh.*pickled"):
        lt = to_literal_type(Fresh)
    assert lt == LiteralType("pickle", name=f"{__name__}.Fresh")


def test_warning_is_given_once_per_annotation() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        to_literal_type(Other)
        to_literal_type(Other)
    assert len([w for w in caught if "Other" in str(w.message)]) == 1


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_pickled_object_round_trips(blob_io, roundtrip) -> None:
    literal = to_literal(Opaque(5), Opaque, blob_io, "p")
    assert isinstance(literal, Blob)
    assert literal.kind == "pickle" and literal.format == "pickle"
    assert roundtrip(Opaque(5), Opaque).value == 5


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_any_pickles_anything(roundtrip) -> None:
    assert to_literal_type(typing.Any) == LiteralType("pickle", name="typing.Any")
    assert roundtrip({"nested": (1, {2})}, typing.Any) == {"nested": (1, {2})}
    assert roundtrip(lambda x: x + 1, typing.Any)(1) == 2


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_wrong_class_for_a_pickled_type_is_refused(blob_io) -> None:
    with pytest.raises(TypeConversionError, match="expected Opaque, got int"):
        to_literal(3, Opaque, blob_io, "p")
