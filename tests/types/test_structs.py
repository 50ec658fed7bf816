"""Dataclasses, NamedTuples and pydantic models travel as maps of their fields."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from pathlib import Path
from typing import NamedTuple

import pydantic
import pytest

from updraft.model import Blob, LiteralType, Map, Scalar
from updraft.types import (
    File,
    TypeAnnotationError,
    TypeConversionError,
    to_literal,
    to_literal_type,
    to_python,
)


class Mode(enum.Enum):
    FAST = "fast"
    SLOW = "slow"


@dataclasses.dataclass
class Params:
    lr: float
    layers: list[int]
    mode: Mode = Mode.FAST
    note: str | None = None


@dataclasses.dataclass
class Run:
    name: str
    params: Params
    data: File
    started: dt.datetime


@dataclasses.dataclass(frozen=True)
class Point:
    x: int
    y: int
    norm: float = dataclasses.field(init=False, default=0.0)


class Pair(NamedTuple):
    left: int
    right: str


class Config(pydantic.BaseModel):
    name: str
    weights: dict[str, float]
    point_count: int = pydantic.Field(alias="pointCount")
    mode: Mode = Mode.SLOW


@dataclasses.dataclass
class Node:
    children: list[Node]


def test_struct_literal_type_names_the_class() -> None:
    lt = to_literal_type(Params)
    assert lt.kind == "struct"
    assert lt.name == f"{__name__}.Params"
    assert [name for name, _ in lt.fields] == ["lr", "layers", "mode", "note"]
    assert dict(lt.fields)["layers"] == LiteralType("list", args=(LiteralType("int"),))


def test_dataclass_becomes_a_map(blob_io) -> None:
    literal = to_literal(Params(0.1, [2]), Params, blob_io, "p")
    assert isinstance(literal, Map)
    assert literal.items["lr"] == Scalar(0.1)
    assert literal.items["mode"] == Scalar("fast")


def test_nested_dataclass_with_a_file_round_trips(tmp_path: Path, blob_io, roundtrip) -> None:
    data = tmp_path / "rows.csv"
    data.write_text("a,b\n1,2\n")
    run = Run("r1", Params(0.5, [8, 4], Mode.SLOW, "n"), File(data), dt.datetime(2024, 1, 1))
    literal = to_literal(run, Run, blob_io, "p")
    assert isinstance(literal, Map) and isinstance(literal.items["data"], Blob)
    back = roundtrip(run, Run)
    assert isinstance(back, Run)
    assert back.params == run.params and back.started == run.started
    assert back.data.uri is not None
    assert Path(back.data.path).read_text() == "a,b\n1,2\n"


def test_frozen_dataclass_with_init_false_field(roundtrip) -> None:
    point = Point(1, 2)
    object.__setattr__(point, "norm", 2.2)
    back = roundtrip(point, Point)
    assert (back.x, back.y, back.norm) == (1, 2, 2.2)


def test_namedtuple_round_trip(roundtrip) -> None:
    assert roundtrip(Pair(1, "a"), Pair) == Pair(1, "a")
    assert to_literal_type(Pair).kind == "struct"


def test_pydantic_model_round_trip(roundtrip) -> None:
    config = Config(name="c", weights={"a": 0.5}, pointCount=3)
    back = roundtrip(config, Config)
    assert isinstance(back, Config) and back == config
    assert to_literal_type(Config).name == f"{__name__}.Config"


def test_field_errors_name_the_field(blob_io) -> None:
    bad = Params(0.1, [1, "two"])  # type: ignore[list-item]
    with pytest.raises(TypeConversionError, match=r"at layers\[1\]"):
        to_literal(bad, Params, blob_io, "p")
    with pytest.raises(TypeConversionError, match="expected Params, got dict"):
        to_literal({"lr": 0.1}, Params, blob_io, "p")


def test_missing_fields_take_defaults_and_extra_ones_are_ignored(blob_io) -> None:
    layers = to_literal([1], list[int], blob_io, "p")
    literal = Map({"lr": Scalar(1.0), "layers": layers, "removed": Scalar(3)})
    back = to_python(literal, Params, blob_io)
    assert back == Params(1.0, [1])


def test_recursive_dataclass_is_refused() -> None:
    with pytest.raises(TypeAnnotationError, match="refers to itself"):
        to_literal_type(Node)
