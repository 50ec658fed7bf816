"""Inputs given as plain JSON become the same literals as the equivalent Python values."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import typing
from pathlib import Path
from typing import Annotated, Optional

import fsspec
import pandas as pd
import pydantic
import pytest

from updraft.model import Blob, LiteralType, Scalar, UnionValue, literal_hash
from updraft.store import BlobStore
from updraft.types import (
    Columns,
    Directory,
    File,
    TypeConversionError,
    literal_from_json,
    literal_to_json,
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


@dataclasses.dataclass
class Hyper:
    max_depth: int
    rate: float
    note: Optional[str] = None  # noqa: UP045


@dataclasses.dataclass
class Config:
    name: str
    hyperparams: Hyper
    tags: list[str]
    color: Color


class Model(pydantic.BaseModel):
    title: str
    weights: dict[str, list[float]]
    level: Level
    when: dt.datetime


class Point(typing.NamedTuple):
    x: int
    y: float


Features = Annotated[pd.DataFrame, Columns(age=int, bmi=float)]
UTC = dt.UTC

CASES: list[tuple[object, object, object]] = [
    (int, 3, 3),
    (float, 2.5, 2.5),
    (float, 3.0, 3),
    (float, float("inf"), "inf"),
    (str, "text", "text"),
    (bool, False, False),
    (bytes, b"\x00hi", "AGhp"),
    (dt.datetime, dt.datetime(2024, 5, 1, 12, 30, tzinfo=UTC), "2024-05-01T12:30:00Z"),
    (
        dt.datetime,
        dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        "2024-05-01T12:30:00+02:00",
    ),
    (dt.date, dt.date(2024, 5, 1), "2024-05-01"),
    (dt.timedelta, dt.timedelta(seconds=90), 90),
    (dt.timedelta, dt.timedelta(milliseconds=1500), 1.5),
    (type(None), None, None),
    (Optional[int], None, None),  # noqa: UP045
    (Optional[int], 4, 4),  # noqa: UP045
    (float | int, 3, 3),
    (float | int, 3.5, 3.5),
    (list[int], [1, 2, 3], [1, 2, 3]),
    (tuple[str, ...], ("a", "b"), ["a", "b"]),
    (dict[str, list[float]], {"a": [1.0, 2.5], "b": []}, {"a": [1, 2.5], "b": []}),
    (Color, Color.GREEN, "green"),
    (Level, Level.HIGH, 2),
    (Point, Point(1, 2.0), {"x": 1, "y": 2}),
    (
        Config,
        Config("run", Hyper(3, 0.1), ["x"], Color.RED),
        {
            "name": "run",
            "hyperparams": {"max_depth": 3, "rate": 0.1},
            "tags": ["x"],
            "color": "red",
        },
    ),
    (
        Model,
        Model(
            title="m",
            weights={"w": [0.5]},
            level=Level.LOW,
            when=dt.datetime(2024, 1, 1, tzinfo=UTC),
        ),
        {"title": "m", "weights": {"w": [0.5]}, "level": 1, "when": "2024-01-01T00:00:00"},
    ),
    (
        list[Hyper | None],
        [Hyper(1, 2.0, "n"), None],
        [{"max_depth": 1, "rate": 2, "note": "n"}, None],
    ),
]


@pytest.mark.parametrize(("annotation", "value", "json_value"), CASES)
def test_json_gives_the_literal_of_the_python_value(
    annotation: object, value: object, json_value: object, blob_io
) -> None:
    lt = to_literal_type(annotation)
    expected = to_literal(value, annotation, blob_io, "p")
    literal = literal_from_json(json_value, lt, blob_io, "p")
    assert literal == expected
    assert literal_hash(literal) == literal_hash(expected)
    assert to_python(literal, annotation, blob_io) == value
    # what is shown converts back to the same literal
    assert literal_from_json(literal_to_json(literal, lt), lt, blob_io, "p") == literal


def test_datetime_without_zone_is_utc(blob_io) -> None:
    literal = literal_from_json("2024-05-01T12:30:00", LiteralType("datetime"), blob_io, "p")
    assert literal == Scalar("2024-05-01T12:30:00+00:00")
    assert to_python(literal, dt.datetime, blob_io) == dt.datetime(2024, 5, 1, 12, 30, tzinfo=UTC)


def test_optional_field_may_be_left_out(blob_io) -> None:
    lt = to_literal_type(Hyper)
    literal = literal_from_json({"max_depth": 2, "rate": 0.5}, lt, blob_io, "p")
    assert to_python(literal, Hyper, blob_io) == Hyper(2, 0.5, None)


@pytest.mark.parametrize(
    ("annotation", "json_value", "expected"),
    [
        (int, True, ["expected int, got bool True"]),
        (int, 2.5, ["expected int, got float 2.5"]),
        (float, False, ["expected float, got bool False"]),
        (str, 3, ["expected str, got int 3"]),
        (bytes, "not base64!", ["expected bytes", "base64"]),
        (dt.date, "2024-13-01", ["expected date", "2024-05-01"]),
        (dt.timedelta, "90", ["expected timedelta", "seconds"]),
        (list[int], [1, "two"], ["expected int, got str 'two'", "(at [1])"]),
        (dict[str, list[float]], {"a": [1, None]}, ["expected float, got NoneType", "['a'][1]"]),
        (Color, "blue", ["expected Color, got str 'blue'", "red, green"]),
        (Level, 3, ["expected Level, got int 3", "1, 2"]),
        (Optional[int], "x", ["expected int | none, got str 'x'"]),  # noqa: UP045
        (Hyper, [1], ["expected Hyper, got list"]),
    ],
)
def test_wrong_values_are_refused_with_expected_and_got(
    annotation: object, json_value: object, expected: list[str], blob_io
) -> None:
    with pytest.raises(TypeConversionError) as info:
        literal_from_json(json_value, to_literal_type(annotation), blob_io, "p")
    for part in expected:
        assert part in str(info.value)


def test_error_names_the_path_inside_the_input(blob_io) -> None:
    lt = to_literal_type(Config)
    value = {
        "name": "r",
        "hyperparams": {"max_depth": "deep", "rate": 1},
        "tags": [],
        "color": "red",
    }
    with pytest.raises(TypeConversionError) as info:
        literal_from_json(value, lt, blob_io, "p", name="config")
    assert str(info.value) == (
        "expected int, got str 'deep'; give a whole number such as 3 "
        "(at config.hyperparams.max_depth)"
    )
    assert info.value.path == ".config.hyperparams.max_depth"


def test_struct_fields_unknown_or_missing_are_refused(blob_io) -> None:
    lt = to_literal_type(Hyper)
    with pytest.raises(TypeConversionError, match=r"Hyper has no field\(s\) 'depth'"):
        literal_from_json({"depth": 1, "max_depth": 1, "rate": 1}, lt, blob_io, "p")
    with pytest.raises(TypeConversionError) as info:
        literal_from_json({"max_depth": 1}, lt, blob_io, "p", name="hyperparams")
    assert "missing field 'rate' of type float" in str(info.value)
    assert "(at hyperparams.rate)" in str(info.value)


def test_pickled_inputs_cannot_be_given_as_json(blob_io) -> None:
    lt = LiteralType("pickle", name="sklearn.linear_model.LogisticRegression")
    with pytest.raises(TypeConversionError, match=r"LogisticRegression \(pickled\) cannot"):
        literal_from_json("x", lt, blob_io, "p")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_file_path_becomes_a_blob_with_the_content_hash(tmp_path: Path, blob_io) -> None:
    source = write(tmp_path / "in" / "data.csv", "x\n1\n")
    copy = write(tmp_path / "elsewhere" / "data.csv", "x\n1\n")
    expected = to_literal(File(source), File, blob_io, "p")
    literal = literal_from_json(str(copy), LiteralType("file"), blob_io, "p")
    assert isinstance(literal, Blob) and isinstance(expected, Blob)
    assert literal.uri == str(copy)  # points at the data; nothing was uploaded
    assert blob_io.calls["put_file"] == 1
    assert literal_hash(literal) == literal_hash(expected)
    assert (literal.format, literal.size, literal.preview) == ("csv", 4, "data.csv")
    received = to_python(literal, File, blob_io)
    assert isinstance(received, File) and received.name == "data.csv"
    assert Path(received.path).read_text() == "x\n1\n"
    shown = literal_to_json(literal)
    assert isinstance(shown, dict) and shown["hash"] == expected.hash
    assert set(shown) == {"uri", "hash", "kind", "format", "size", "preview"}
    assert literal_from_json(shown, LiteralType("file"), blob_io, "p") == literal


def test_file_that_is_missing_relative_or_a_folder_is_refused(tmp_path: Path, blob_io) -> None:
    lt = LiteralType("file")
    with pytest.raises(TypeConversionError, match="does not exist"):
        literal_from_json(str(tmp_path / "nope.csv"), lt, blob_io, "p")
    with pytest.raises(TypeConversionError, match=r"relative path 'data\.csv'; give an absolute"):
        literal_from_json("data.csv", lt, blob_io, "p")
    with pytest.raises(TypeConversionError, match=r"is a directory \(use Directory\)"):
        literal_from_json(str(tmp_path), lt, blob_io, "p")
    with pytest.raises(TypeConversionError, match="expected File, got int 3"):
        literal_from_json(3, lt, blob_io, "p")


def test_directory_path_hashes_like_the_type_engine(tmp_path: Path, blob_io) -> None:
    write(tmp_path / "a" / "imgs" / "one.txt", "1")
    write(tmp_path / "a" / "imgs" / "sub" / "two.txt", "22")
    write(tmp_path / "b" / "imgs" / "one.txt", "1")
    write(tmp_path / "b" / "imgs" / "sub" / "two.txt", "22")
    expected = to_literal(Directory(tmp_path / "a" / "imgs"), Directory, blob_io, "p")
    lt = to_literal_type(Directory)
    literal = literal_from_json(str(tmp_path / "b" / "imgs"), lt, blob_io, "p")
    assert isinstance(literal, Blob) and isinstance(expected, Blob)
    assert literal_hash(literal) == literal_hash(expected)
    assert (literal.size, literal.preview) == (expected.size, "imgs/ (2 files)")
    received = to_python(literal, Directory, blob_io)
    assert isinstance(received, Directory)
    assert received.listing() == ["one.txt", "sub/two.txt"]


def test_remote_file_and_folder_are_hashed_through_the_store(tmp_path: Path) -> None:
    store = BlobStore(str(tmp_path / "blobs"), scratch_dir=str(tmp_path / "scratch"))
    fs = fsspec.filesystem("memory")
    fs.pipe_file("/json-inputs/tree/data.txt", b"remote")
    fs.pipe_file("/json-inputs/tree/deep/more.txt", b"more")
    local = write(tmp_path / "tree" / "data.txt", "remote")
    write(tmp_path / "tree" / "deep" / "more.txt", "more")
    try:
        file_literal = literal_from_json(
            "memory://json-inputs/tree/data.txt", LiteralType("file"), store, "p"
        )
        tree_literal = literal_from_json(
            "memory://json-inputs/tree", LiteralType("directory"), store, "p"
        )
    finally:
        fs.rm("/json-inputs", recursive=True)
    assert isinstance(file_literal, Blob) and isinstance(tree_literal, Blob)
    assert file_literal.uri == "memory://json-inputs/tree/data.txt"
    expected_file = to_literal(File(local), File, store, "p")
    expected_tree = to_literal(Directory(tmp_path / "tree"), Directory, store, "p")
    assert isinstance(expected_file, Blob) and isinstance(expected_tree, Blob)
    assert file_literal.hash == expected_file.hash
    assert tree_literal.hash == expected_tree.hash
    assert list((tmp_path / "scratch").rglob("*.txt")) == []  # fetched copies are removed


def frame() -> pd.DataFrame:
    return pd.DataFrame({"age": [30, 40], "bmi": [21.5, 30.1], "label": ["a", "b"]})


def test_dataframe_parquet_uri_agrees_with_the_type_engine(blob_io) -> None:
    expected = to_literal(frame(), Features, blob_io, "p")
    assert isinstance(expected, Blob)
    lt = to_literal_type(Features)
    literal = literal_from_json(expected.uri, lt, blob_io, "p")
    assert literal == expected
    received = to_python(literal, Features, blob_io)
    assert isinstance(received, pd.DataFrame)
    pd.testing.assert_frame_equal(received, frame())


def test_dataframe_columns_and_format_are_checked(tmp_path: Path, blob_io) -> None:
    lt = to_literal_type(Features)
    bad = tmp_path / "bad.parquet"
    frame().rename(columns={"bmi": "weight"}).to_parquet(bad)
    with pytest.raises(TypeConversionError, match="missing column 'bmi'") as info:
        literal_from_json(str(bad), lt, blob_io, "p", name="features")
    assert "(at features)" in str(info.value)
    text = write(tmp_path / "frame.csv", "age,bmi\n1,2\n")
    with pytest.raises(TypeConversionError, match="is not one"):
        literal_from_json(str(text), lt, blob_io, "p")
    with pytest.raises(TypeConversionError, match="cannot be read"):
        literal_from_json(str(tmp_path / "none.parquet"), lt, blob_io, "p")


def test_literal_to_json_shows_structs_in_declared_order(blob_io) -> None:
    lt = to_literal_type(Hyper)
    literal = literal_from_json({"rate": 1, "note": "n", "max_depth": 2}, lt, blob_io, "p")
    shown = literal_to_json(literal, lt)
    assert isinstance(shown, dict)
    assert list(shown) == ["max_depth", "rate", "note"]
    assert shown == {"max_depth": 2, "rate": 1.0, "note": "n"}
    assert literal_to_json(UnionValue(0, Scalar(3))) == 3
