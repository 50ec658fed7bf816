"""Subworkflows and launch plans called inside a workflow."""

from __future__ import annotations

from updraft import LaunchPlan, task, workflow


@task
def inc(x: int) -> int:
    return x + 1


@task
def add(a: int, b: int) -> int:
    return a + b


@workflow
def inner(x: int, step: int = 1) -> int:
    return add(a=inc(x=x), b=step)


@workflow
def middle(x: int) -> int:
    """Nests ``inner``, so ``outer`` holds both."""
    return inc(x=inner(x=x))


@workflow
def outer(x: int = 1) -> int:
    a = inner(x=x)
    b = inner(x=a, step=5)
    return add(a=middle(x=a), b=b)


inner_fixed = LaunchPlan.get_or_create(
    inner, "composition_inner_fixed", fixed_inputs={"step": 10}
)


@workflow
def launches(x: int = 1) -> int:
    """Starts ``inner`` as a child execution through a plan that fixes ``step``."""
    return add(a=inner_fixed(x=x), b=x)
