"""Workflows of 1,000 nodes for the console's large-execution checks: a chain, a fan-out and a
map over 1,000 elements, each of trivial tasks."""

from __future__ import annotations

from updraft import map_task, task, workflow

SIZE = 1000


@task
def step(x: int) -> int:
    return x + 1


@task
def count(xs: list[int]) -> int:
    return len(xs)


@task
def numbers(n: int) -> list[int]:
    return list(range(n))


@workflow
def chain_1000(x: int = 0) -> int:
    value = x
    for _ in range(SIZE):
        value = step(x=value)
    return value


@workflow
def fan_out_1000() -> int:
    return count(xs=[step(x=i) for i in range(SIZE)])


@workflow
def map_1000(n: int = SIZE) -> int:
    return count(xs=map_task(step)(x=numbers(n=n)))
