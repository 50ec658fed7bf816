"""Map tasks: one list, zipped lists, inputs fixed with functools.partial, failures allowed."""

from __future__ import annotations

import functools
from typing import Optional

from updraft import map_task, task, workflow


@task
def square(x: int) -> int:
    return x * x


@task
def scale(x: int, factor: int) -> int:
    return x * factor


@task
def inverse(x: int) -> float:
    """Fails (ZeroDivisionError) on 0, for maps that tolerate failed elements."""
    return 1 / x


@task
def divide(a: int, b: int) -> tuple[int, int]:
    return a // b, a % b


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@workflow
def squares(xs: list[int]) -> list[int]:
    return map_task(square)(x=xs)


@workflow
def scaled_total(xs: list[int], factor: int = 3) -> int:
    scaled = map_task(functools.partial(scale, factor=factor), concurrency=2)(x=xs)
    return total(xs=scaled)


@workflow
def tolerant(xs: list[int]) -> list[Optional[float]]:  # noqa: UP045 (the spelling users write)
    return map_task(inverse, min_success_ratio=0.5)(x=xs)


@workflow
def zipped(a: list[int], b: list[int]) -> tuple[list[int], list[int]]:
    quotients, remainders = map_task(divide)(a=a, b=b)
    return quotients, remainders


@workflow
def literal_list() -> int:
    return total(xs=map_task(square)(x=[1, 2, 3, 4]))
