"""Composed workflows the console's browser tests look at: a subworkflow and a launch plan node
(whose child execution the console links to), a map whose elements partly fail, and a
conditional that fails before any arm runs."""

from __future__ import annotations

from updraft import LaunchPlan, conditional, map_task, task, workflow


@task
def square(x: int) -> int:
    return x * x


@task
def scale(x: int, factor: int) -> int:
    return x * factor


@workflow
def inner(a: int, b: int = 2) -> int:
    return scale(x=square(x=a), factor=b)


triple = LaunchPlan.get_or_create(inner, name="console_triple", fixed_inputs={"b": 3})


@task
def final(x: int) -> int:
    return x + 1


@workflow
def outer(a: int = 3) -> int:
    """A subworkflow, then a launch plan node on its result, then a task."""
    return final(x=triple(a=inner(a=a)))


@task(retries=1)
def fragile(x: int) -> int:
    """Fails for multiples of 3 (again on its retry)."""
    if x % 3 == 0:
        raise ValueError(f"{x} is a multiple of 3")
    return x


@workflow
def tolerant(xs: list[int]) -> list[int | None]:
    """A third of the elements fail; the map succeeds as half of them are enough."""
    return map_task(fragile, min_success_ratio=0.5)(x=xs)


@task
def coin(x: float) -> float:
    return x


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def strict_pick(x: float = -1.0) -> int:
    """Fails in its conditional, before any arm runs, for x <= 0."""
    return (
        conditional("sign")
        .if_(coin(x=x) > 0.0)
        .then(double(x=3))
        .else_()
        .fail("x must be positive")
    )
