"""Data frames travel as Parquet; a Columns schema is checked when sent and when received."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import pyarrow as pa
import pytest

from updraft.model import Blob, LiteralType, literal_hash
from updraft.types import (
    Columns,
    TypeAnnotationError,
    TypeConversionError,
    describe,
    to_literal,
    to_literal_type,
    to_python,
)

Features = Annotated[pd.DataFrame, Columns(age=int, bmi=float)]
Wide = Annotated[pd.DataFrame, Columns(age=int, bmi=float, label=str)]
ArrowFeatures = Annotated[pa.Table, Columns(age=int, bmi=float)]


def frame() -> pd.DataFrame:
    return pd.DataFrame({"age": [30, 40], "bmi": [21.5, 30.1], "label": ["a", "b"]})


def test_frame_literal_type_records_flavor_and_columns() -> None:
    assert to_literal_type(pd.DataFrame) == LiteralType("dataframe", name="pandas.DataFrame")
    assert to_literal_type(pa.Table) == LiteralType("dataframe", name="pyarrow.Table")
    assert to_literal_type(Features).columns == (("age", "int"), ("bmi", "float"))


def test_pandas_frame_round_trips_as_parquet(blob_io, roundtrip) -> None:
    literal = to_literal(frame(), pd.DataFrame, blob_io, "p")
    assert isinstance(literal, Blob)
    assert literal.kind == "dataframe" and literal.format == "parquet"
    assert Path(literal.uri).read_bytes()[:4] == b"PAR1"
    assert literal.preview.startswith("2 rows x 3 columns: age, bmi, label")
    pd.testing.assert_frame_equal(roundtrip(frame(), pd.DataFrame), frame())


def test_equal_frames_hash_equal(blob_io) -> None:
    a = to_literal(frame(), pd.DataFrame, blob_io, "p1")
    b = to_literal(frame(), pd.DataFrame, blob_io, "p2")
    changed = frame().assign(age=[31, 40])
    c = to_literal(changed, pd.DataFrame, blob_io, "p3")
    assert literal_hash(a) == literal_hash(b) != literal_hash(c)


def test_arrow_table_round_trip_and_cross_flavor(blob_io, roundtrip) -> None:
    table = pa.table({"age": [1, 2], "bmi": [0.5, 1.5]})
    back = roundtrip(table, pa.Table)
    assert isinstance(back, pa.Table) and back.equals(table)
    # a pandas output read as a pyarrow input, and the other way round
    literal = to_literal(frame(), Features, blob_io, "p")
    assert isinstance(to_python(literal, ArrowFeatures, blob_io), pa.Table)
    literal = to_literal(table, ArrowFeatures, blob_io, "p")
    received = to_python(literal, Features, blob_io)
    assert isinstance(received, pd.DataFrame) and list(received["age"]) == [1, 2]


def test_columns_pass_with_extra_columns_and_int_for_float(roundtrip) -> None:
    ints = pd.DataFrame({"age": [1], "bmi": [2], "other": ["x"]})
    assert list(roundtrip(ints, Features).columns) == ["age", "bmi", "other"]


def test_missing_column_fails_on_return(blob_io) -> None:
    with pytest.raises(TypeConversionError, match=r"missing column 'bmi' \(expected float\)"):
        to_literal(frame().drop(columns=["bmi"]), Features, blob_io, "p")


def test_wrong_dtype_fails_on_return_with_both_dtypes(blob_io) -> None:
    bad = frame().assign(age=["thirty", "forty"])
    with pytest.raises(TypeConversionError, match=r"column 'age' has dtype \S+, expected int"):
        to_literal(bad, Features, blob_io, "p")


def test_schema_is_checked_again_on_receipt(blob_io) -> None:
    literal = to_literal(frame().drop(columns=["label"]), pd.DataFrame, blob_io, "p")
    with pytest.raises(TypeConversionError, match="missing column 'label'"):
        to_python(literal, Wide, blob_io)
    literal = to_literal(frame().assign(bmi=["x", "y"]), pd.DataFrame, blob_io, "p")
    with pytest.raises(TypeConversionError, match=r"'bmi' has dtype \w*string, expected float"):
        to_python(literal, Features, blob_io)


def test_not_a_frame_is_refused(blob_io) -> None:
    with pytest.raises(TypeConversionError, match="expected DataFrame, got dict"):
        to_literal({"age": [1]}, pd.DataFrame, blob_io, "p")


def test_unsupported_column_type_is_an_annotation_error() -> None:
    with pytest.raises(TypeAnnotationError, match="Columns"):
        Columns(x=complex)


def test_describe_frames() -> None:
    assert describe(pd.DataFrame) == "DataFrame"
    assert describe(pa.Table) == "pyarrow.Table"
