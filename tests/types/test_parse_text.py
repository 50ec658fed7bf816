"""parse_text: command-line strings to typed values, and clear errors when they do not fit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import pyarrow as pa
import pydantic
import pytest

from updraft.types import Columns, Directory, File, TypeConversionError, parse_text


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Size(enum.Enum):
    SMALL = 1
    LARGE = 2


@dataclasses.dataclass
class Params:
    lr: float
    layers: list[int]
    color: Color = Color.RED


class Model(pydantic.BaseModel):
    name: str
    params: Params


@pytest.mark.parametrize(
    ("text", "annotation", "expected"),
    [
        ("42", int, 42),
        (" -7 ", int, -7),
        ("0.25", float, 0.25),
        ("3", float, 3.0),
        ("hello world", str, "hello world"),
        ("", str, ""),
        ("true", bool, True),
        ("No", bool, False),
        ("1", bool, True),
        ("0", bool, False),
        ("yes", bool, True),
        ("2024-05-01T12:30:00", dt.datetime, dt.datetime(2024, 5, 1, 12, 30)),
        ("2024-05-01", dt.date, dt.date(2024, 5, 1)),
        ("90", dt.timedelta, dt.timedelta(seconds=90)),
        ("1.5", dt.timedelta, dt.timedelta(seconds=1.5)),
        ("green", Color, Color.GREEN),
        ("GREEN", Color, Color.GREEN),
        ("2", Size, Size.LARGE),
        ("SMALL", Size, Size.SMALL),
        ("[1, 2]", list[int], [1, 2]),
        ('{"a": [1], "b": []}', dict[str, list[int]], {"a": [1], "b": []}),
        ("none", Optional[int], None),  # noqa: UP045
        ("null", int | None, None),
        ("5", int | None, 5),
        ('{"lr": 0.1, "layers": [3], "color": "green"}', Params, Params(0.1, [3], Color.GREEN)),
        ("abc", bytes, b"abc"),
    ],
)
def test_good_text(text: str, annotation: object, expected: object) -> None:
    value = parse_text(text, annotation)
    assert value == expected and type(value) is type(expected)


def test_pydantic_from_json() -> None:
    value = parse_text('{"name": "m", "params": {"lr": 1, "layers": []}}', Model)
    assert value == Model(name="m", params=Params(1.0, []))


def test_file_and_directory_from_text() -> None:
    assert parse_text("data/x.csv", File) == File("data/x.csv")
    assert parse_text("s3://bucket/images", Directory) == Directory("s3://bucket/images")


@pytest.mark.parametrize(
    ("text", "annotation", "message"),
    [
        ("abc", int, r"expected int, got 'abc'; give a whole number"),
        ("1.5", int, r"expected int, got '1.5'"),
        ("x", float, r"expected float, got 'x'; give a number"),
        ("maybe", bool, r"expected bool, got 'maybe'; give true or false"),
        ("2024-13-01", dt.date, r"expected date, got '2024-13-01'; give an ISO date"),
        ("soon", dt.timedelta, r"give a number of seconds"),
        ("blue", Color, r"expected Color, got 'blue'; give one of red, green"),
        ("1, 2", list[int], r"expected list\[int\], got '1, 2'; give JSON such as \[1, 2\]"),
        ('[1, "a"]', list[int], r"expected int, got str 'a' \(at \[1\]\)"),
        ("[1]", dict[str, int], r"expected dict\[str, int\]"),
        ("x", Optional[int], r"expected int \| None, got 'x'.*none"),  # noqa: UP045
        ('{"lr": 1, "layers": [], "depth": 2}', Params, r"no field\(s\) 'depth'"),
        ('{"lr": 1}', Params, r"cannot build Params"),
    ],
)
def test_bad_text_says_expected_got_and_how(text: str, annotation: object, message: str) -> None:
    with pytest.raises(TypeConversionError, match=message):
        parse_text(text, annotation)


Features = Annotated[pd.DataFrame, Columns(age=int)]


def test_data_frame_from_csv_and_parquet(tmp_path: Path) -> None:
    csv = tmp_path / "rows.csv"
    csv.write_text("age,name\n31,a\n42,b\n")
    frame = parse_text(str(csv), Features)
    assert isinstance(frame, pd.DataFrame) and list(frame["age"]) == [31, 42]
    parquet = tmp_path / "rows.parquet"
    frame.to_parquet(parquet)
    table = parse_text(str(parquet), pa.Table)
    assert isinstance(table, pa.Table) and table.num_rows == 2


def test_data_frame_text_errors(tmp_path: Path) -> None:
    with pytest.raises(TypeConversionError, match=r"\.csv or \.parquet"):
        parse_text("rows.txt", pd.DataFrame)
    with pytest.raises(TypeConversionError, match="cannot read"):
        parse_text(str(tmp_path / "missing.csv"), pd.DataFrame)
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nx\n")
    with pytest.raises(TypeConversionError, match="missing column 'age'"):
        parse_text(str(bad), Features)
