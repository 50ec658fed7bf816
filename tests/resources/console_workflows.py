"""Workflows the console's browser tests launch: typed inputs for the launch form, outputs of
every display kind, a failure with a traceback, a slow run to terminate, retries and cache
hits for the timeline, a dynamic node whose children sit inside it in the graph, and a
scheduled launch plan to switch on and off."""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time

import pandas as pd

from updraft import CronSchedule, File, LaunchPlan, current_context, dynamic, task, workflow


@dataclasses.dataclass
class Summary:
    label: str
    total: int
    mean: float


@task
def summarize(sizes: list[int], count: int, ratio: float, label: str, flag: bool) -> Summary:
    total = sum(sizes) * count if flag else 0
    return Summary(label=label, total=total, mean=total * ratio / max(1, len(sizes)))


@workflow
def typed_inputs(
    sizes: list[int], count: int = 3, ratio: float = 0.5, label: str = "run", flag: bool = True
) -> Summary:
    return summarize(sizes=sizes, count=count, ratio=ratio, label=label, flag=flag)


@task
def table(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"id": list(range(rows)), "score": [i / 4 for i in range(rows)]})


@task
def write_report(rows: int) -> File:
    folder = tempfile.mkdtemp(prefix="report-")
    path = os.path.join(folder, "report.txt")
    with open(path, "w") as f:
        f.write("\n".join(f"row {i}" for i in range(rows)))
    return File(path)


@workflow
def report(rows: int = 6) -> tuple[pd.DataFrame, File]:
    return table(rows=rows), write_report(rows=rows)


nightly_report = LaunchPlan.get_or_create(
    report, name="nightly_report", default_inputs={"rows": 3},
    schedule=CronSchedule("0 2 * * *", timezone="Europe/Berlin"),
)


@task
def line_count(data: File) -> int:
    with open(data) as f:
        return sum(1 for _ in f)


@workflow
def count_lines(data: File) -> int:
    return line_count(data=data)


@task
def explode(x: int) -> int:
    raise ValueError(f"cannot handle {x}: the console shows this traceback")


@workflow
def fails(x: int = 7) -> int:
    return explode(x=x)


@task
def wait(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@workflow
def slow(seconds: float = 120.0) -> float:
    return wait(seconds=seconds)


@task(retries=2)
def flaky(x: int) -> int:
    """Fails on its first two attempts, succeeds on the third."""
    if current_context().attempt < 3:
        raise RuntimeError(f"attempt {current_context().attempt} fails on purpose")
    return x + 1


@task(cache=True, cache_version="1")
def cached_square(x: int) -> int:
    return x * x


@workflow
def retried_and_cached(x: int = 4) -> int:
    return flaky(x=cached_square(x=x))


@task
def square(x: int) -> int:
    return x * x


@dynamic
def spread(n: int) -> list[int]:
    return [square(x=i) for i in range(n)]


@task
def add_up(xs: list[int]) -> int:
    return sum(xs)


@workflow
def dynamic_spread(n: int = 3) -> int:
    return add_up(xs=spread(n=n))
