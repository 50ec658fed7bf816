"""Small workflows used across the tests: a chain, a fan-out, outputs of every shape."""

from __future__ import annotations

import os
from datetime import datetime
from typing import NamedTuple

from updraft import current_context, task, workflow


@task
def inc(x: int) -> int:
    return x + 1


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@task
def divmod_task(a: int, b: int) -> tuple[int, int]:
    return a // b, a % b


class Stats(NamedTuple):
    mean: float
    count: int


@task
def stats(xs: list[int]) -> Stats:
    return Stats(mean=sum(xs) / len(xs), count=len(xs))


@task
def greet(name: str, punctuation: str = "!") -> str:
    return f"hello {name}{punctuation}"


@task
def whoami() -> str:
    ctx = current_context()
    return f"{ctx.execution_id}/{ctx.node_id}/{ctx.attempt}"


@task
def read_env() -> str:
    return os.environ.get("UPDRAFT_TEST_VALUE", "")


@task(environment={"UPDRAFT_TEST_VALUE": "set-by-task"})
def read_env_set() -> str:
    return os.environ.get("UPDRAFT_TEST_VALUE", "")


@workflow
def chain(x: int = 0) -> int:
    value = x
    for _ in range(5):
        value = inc(x=value)
    return value


@workflow
def fan_out() -> int:
    return total(xs=[inc(x=i) for i in range(10)])


@workflow
def shapes(a: int = 7, b: int = 2) -> tuple[int, int, float, str]:
    q, r = divmod_task(a=a, b=b)
    s = stats(xs=[q, r])
    return q, r, s.mean, greet(name="updraft")


@task
def describe_time(when: datetime) -> str:
    return when.isoformat()


@workflow
def stamped(when: datetime) -> str:
    return describe_time(when=when)
