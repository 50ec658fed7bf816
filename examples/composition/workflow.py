"""Every composition construct in one small pipeline: the example of README's "Composition".

Run it with ``updraft run examples/composition/workflow.py outer --a 3`` (or ``squares``,
``tolerant``, ``pick``, ``fan_in``); ``updraft get execution ID --local`` shows the children.
"""

from __future__ import annotations

import functools
import sys

from updraft import (
    LaunchPlan,
    Resources,
    WorkflowFailurePolicy,
    conditional,
    dynamic,
    map_task,
    task,
    workflow,
)


@task(cache=True, cache_version="1")
def scale(x: int, factor: int) -> int:
    return x * factor


@task(retries=1)
def fragile(x: int) -> int:
    """Fails for multiples of 3, to show min_success_ratio."""
    if x % 3 == 0:
        raise ValueError(f"{x} is a multiple of 3")
    return x


@task
def square(x: int) -> int:
    return x * x


@task
def double(x: int) -> int:
    return 2 * x


@task
def negate(x: int) -> int:
    return -x


@task
def add(xs: list[int]) -> int:
    return sum(xs)


@task
def cleanup() -> None:
    print("preparing the run")


@task
def report(error: str) -> None:
    """Runs when `outer` fails, with the error that failed it."""
    print(f"outer failed: {error}", file=sys.stderr)


@workflow
def squares(xs: list[int], factor: int = 3) -> list[int]:
    # one cached, retried attempt per element, run in batches; several lists are zipped
    return map_task(functools.partial(scale, factor=factor), concurrency=8)(x=xs)


@workflow
def tolerant(xs: list[int]) -> list[int | None]:
    return map_task(fragile, min_success_ratio=0.5)(x=xs)  # failed elements are None


@dynamic
def fan_out(n: int) -> list[int]:
    """Runs at execution time with the real ``n``: one node per number."""
    return [square(x=i) for i in range(n)]


@workflow
def fan_in(n: int = 5) -> int:
    return add(xs=fan_out(n=n))


@workflow
def pick(x: float) -> int:
    return (
        conditional("sign")
        .if_(x > 0.5).then(double(x=1))
        .elif_((x <= 0.5) & (x > 0.0)).then(negate(x=1))
        .else_().fail("x must be positive")
    )


@workflow
def inner(a: int, b: int = 2) -> int:
    return scale(x=square(x=a), factor=b)


plan = LaunchPlan.get_or_create(inner, name="triple", fixed_inputs={"b": 3})


@workflow(
    failure_policy=WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE,
    on_failure=report,
)
def outer(a: int = 3) -> int:
    first = inner(a=a)  # a subworkflow: its nodes nest under this one
    second = plan(a=first)  # a launch plan: a child execution, linked both ways
    cleanup() >> first  # ordering without data
    return square(x=second).with_overrides(name="final", retries=2, limits=Resources(mem="1Gi"))
