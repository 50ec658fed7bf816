"""Workflows that pass data frames, files and dataclasses between tasks."""

from __future__ import annotations

import dataclasses
import os
from typing import Annotated

import pandas as pd

from updraft import Columns, File, current_context, task, workflow

People = Annotated[pd.DataFrame, Columns(name=str, age=int)]


@dataclasses.dataclass
class Settings:
    factor: int = 2
    label: str = "x"


@task
def people(n: int) -> People:
    return pd.DataFrame({"name": [f"p{i}" for i in range(n)], "age": list(range(n))})


@task
def wrong_people(n: int) -> People:
    return pd.DataFrame({"name": [f"p{i}" for i in range(n)]})


@task
def older(frame: People, settings: Settings) -> People:
    frame = frame.copy()
    frame["age"] = frame["age"] * settings.factor
    return frame


@task
def to_csv(frame: People) -> File:
    path = os.path.join(current_context().working_directory, "people.csv")
    frame.to_csv(path, index=False)
    return File(path)


@task
def count_lines(report: File) -> int:
    with open(report) as f:
        return sum(1 for _ in f)


@task
def total_age(frame: People) -> int:
    return int(frame["age"].sum())


@workflow
def frames(n: int = 4, settings: Settings = Settings()) -> tuple[int, int]:
    aged = older(frame=people(n=n), settings=settings)
    return total_age(frame=aged), count_lines(report=to_csv(frame=aged))


@workflow
def bad_schema(n: int = 3) -> int:
    return total_age(frame=wrong_people(n=n))
