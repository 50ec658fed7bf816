"""Scalars travel inline and come back equal, with the documented encodings."""

from __future__ import annotations

import datetime as dt
import math
import time

import numpy as np
import pytest

from updraft.model import LiteralType, Scalar
from updraft.types import TypeConversionError, to_literal, to_literal_type, to_python

CASES = [
    (3, int),
    (-(2**70), int),
    (2.5, float),
    ("héllo", str),
    (True, bool),
    (False, bool),
    (b"\x00\xffdata", bytes),
    (dt.datetime(2024, 5, 1, 12, 30, 5, 123456), dt.datetime),
    (dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))), dt.datetime),
    (dt.date(2024, 2, 29), dt.date),
    (dt.timedelta(days=1, seconds=3, microseconds=500), dt.timedelta),
    (None, type(None)),
    (None, None),
]


@pytest.mark.parametrize(("value", "annotation"), CASES)
def test_scalars_round_trip(value: object, annotation: object, roundtrip) -> None:
    back = roundtrip(value, annotation)
    assert back == value and type(back) is type(value)


def test_literal_types_of_scalars() -> None:
    kinds = {
        int: "int",
        float: "float",
        str: "str",
        bool: "bool",
        bytes: "bytes",
        dt.datetime: "datetime",
        dt.date: "date",
        dt.timedelta: "timedelta",
        type(None): "none",
        None: "none",
    }
    for annotation, kind in kinds.items():
        assert to_literal_type(annotation) == LiteralType(kind)


def test_documented_encodings(blob_io) -> None:
    assert to_literal(b"hi", bytes, blob_io, "p") == Scalar("aGk=")
    assert to_literal(dt.date(2024, 1, 2), dt.date, blob_io, "p") == Scalar("2024-01-02")
    assert to_literal(dt.timedelta(minutes=1.5), dt.timedelta, blob_io, "p") == Scalar(90.0)


def test_int_is_accepted_for_float_and_converted(blob_io) -> None:
    literal = to_literal(3, float, blob_io, "p")
    back = to_python(literal, float, blob_io)
    assert back == 3.0 and type(back) is float


def test_bool_is_not_an_int(blob_io) -> None:
    with pytest.raises(TypeConversionError, match="expected int, got bool True"):
        to_literal(True, int, blob_io, "p")
    with pytest.raises(TypeConversionError, match="expected float, got bool"):
        to_literal(False, float, blob_io, "p")


def test_wrong_types_say_expected_and_got(blob_io) -> None:
    with pytest.raises(TypeConversionError, match="expected int, got str '3'"):
        to_literal("3", int, blob_io, "p")
    with pytest.raises(TypeConversionError, match="expected date, got datetime"):
        to_literal(dt.datetime(2024, 1, 1), dt.date, blob_io, "p")
    with pytest.raises(TypeConversionError, match="expected None"):
        to_literal(0, type(None), blob_io, "p")


def test_non_finite_floats_survive_json(roundtrip) -> None:
    assert math.isnan(roundtrip(math.nan, float))
    assert roundtrip(math.inf, float) == math.inf
    assert roundtrip(-math.inf, float) == -math.inf


def test_numpy_scalars_are_accepted(roundtrip) -> None:
    assert roundtrip(np.int64(7), int) == 7
    assert roundtrip(np.float32(0.5), float) == 0.5
    assert roundtrip(np.bool_(True), bool) is True


def test_reading_a_literal_of_another_type_fails(blob_io) -> None:
    with pytest.raises(TypeConversionError, match="cannot read"):
        to_python(Scalar("x"), int, blob_io)


def test_hot_path_is_a_few_microseconds(blob_io) -> None:
    """Measured for the report; the bound is loose so a busy machine does not fail it."""
    n = 20000
    for value, annotation in ((7, int), (0.5, float), ("s", str)):
        start = time.perf_counter()
        for _ in range(n):
            to_python(to_literal(value, annotation, blob_io, "p"), annotation, blob_io)
        per_call = (time.perf_counter() - start) / n / 2
        assert per_call < 20e-6, f"{annotation.__name__}: {per_call * 1e6:.2f} us per call"
