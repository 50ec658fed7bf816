"""is_assignable: which outputs may feed which inputs, as the compiler checks wiring."""

from __future__ import annotations

import dataclasses
import enum
import warnings
from typing import Annotated, Optional

import pandas as pd
import pyarrow as pa
import pytest

from updraft.types import Columns, File, is_assignable, to_literal_type


class Color(enum.Enum):
    RED = "red"


class Shade(enum.Enum):
    RED = "red"


@dataclasses.dataclass
class P:
    x: int


class Blobby:
    pass


class Other:
    pass


with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    to_literal_type(Blobby)
    to_literal_type(Other)

AgeBmi = Annotated[pd.DataFrame, Columns(age=int, bmi=float)]
Age = Annotated[pd.DataFrame, Columns(age=int)]
AgeFloat = Annotated[pa.Table, Columns(age=float)]
AgeStr = Annotated[pd.DataFrame, Columns(age=str)]


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        (int, int, True),
        (int, float, True),
        (float, int, False),
        (bool, int, False),
        (str, int, False),
        (int, Optional[int], True),  # noqa: UP045
        (type(None), Optional[int], True),  # noqa: UP045
        (Optional[int], int, False),  # noqa: UP045
        (int, str | float, True),
        (int | str, str | int | None, True),
        (int | str, int, False),
        (list[int], list[float], True),
        (list[float], list[int], False),
        (dict[str, list[int]], dict[str, list[int]], True),
        (list[int], dict[str, int], False),
        (Color, Color, True),
        (Color, Shade, False),
        (P, P, True),
        (File, File, True),
        (File, str, False),
        (AgeBmi, Age, True),
        (Age, AgeBmi, False),
        (AgeBmi, pd.DataFrame, True),
        (pd.DataFrame, AgeBmi, True),
        (pd.DataFrame, pa.Table, True),
        (Age, AgeFloat, True),
        (Age, AgeStr, False),
        (Blobby, Blobby, True),
        (Blobby, Other, False),
    ],
)
def test_is_assignable(source: object, target: object, expected: bool) -> None:
    assert is_assignable(to_literal_type(source), to_literal_type(target)) is expected
