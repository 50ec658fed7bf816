"""The workflows the server benchmarks register: one task, a chain of 1,000, and a map.

They live alone in this folder (no ``__init__.py``), which is therefore their project root:
the code archive the server stores and workers extract holds just this file.
"""

from __future__ import annotations

from updraft import map_task, task, workflow

#: Nodes in `chain_1000`, the execution whose GET is timed.
CHAIN_LENGTH = 1_000


@task
def inc(x: int) -> int:
    """The trivial task both workflows run."""
    return x + 1


@workflow
def one_task(x: int = 0) -> int:
    """The workflow the creation rate and the launch-to-first-task time are measured with."""
    return inc(x=x)


@workflow
def chain_1000(x: int = 0) -> int:
    """1,000 nodes, each fed by the one before: the document whose GET is timed."""
    for _ in range(CHAIN_LENGTH):
        x = inc(x=x)
    return x


@workflow
def mapped(xs: list[int]) -> list[int]:
    """``inc`` over every element of ``xs``: the map whose elements per second are measured."""
    return map_task(inc)(x=xs)
