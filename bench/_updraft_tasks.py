"""The trivial tasks of updraft's benchmark workflows.

They live in their own module, not in ``updraft_cases.py``, because that file runs as
``__main__``: tasks defined there would be shipped to workers by value (cloudpickle) on every
run, which is not what a user's workflow file does. Defined here, workers import them by name
(module ``_updraft_tasks`` under the project root ``bench/``), as they import a user's tasks.
"""

from __future__ import annotations

from updraft import dynamic, task


@task
def inc(x: int) -> int:
    """The trivial task of the chain and the fan-out."""
    return x + 1


@task(cache=True, cache_version="1")
def inc_cached(x: int) -> int:
    """The trivial task of the cached chain."""
    return x + 1


@task
def collect(xs: list[int]) -> list[int]:
    """Gather the fan-out's results into one list.

    A workflow cannot return a list of promises directly, so the fan-out's ``list[int]``
    output passes through this one extra node.
    """
    return xs


@task
def total(xs: list[int]) -> int:
    """Sum the dynamic fan-out's results: the node every other child feeds."""
    return sum(xs)


@dynamic
def fan_out(n: int) -> int:
    """Build ``n`` independent ``inc(x=i)`` nodes and one `total` over them at run time.

    A fan-out rather than a chain, so that the figure is the engine's cost per node and not
    ``n`` round trips one after another; defined here so that workers import it by name.
    """
    return total(xs=[inc(x=i) for i in range(n)])
