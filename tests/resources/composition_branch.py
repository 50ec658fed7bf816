"""Conditionals: arms over comparisons of workflow values, a failing arm, arms without outputs."""

from __future__ import annotations

import os

from updraft import conditional, task, workflow


@task
def double(x: float) -> float:
    return x * 2


@task
def halve(x: float) -> float:
    return x / 2


@task
def heads() -> str:
    return "heads"


@task
def tails() -> str:
    return "tails"


@task
def is_large(x: float) -> bool:
    return x > 100


@task
def note(x: float) -> None:
    """Records that it ran, in $UPDRAFT_TEST_DIR when set."""
    folder = os.environ.get("UPDRAFT_TEST_DIR")
    if folder:
        with open(os.path.join(folder, "note"), "a") as f:
            f.write(f"{x}\n")


@workflow
def resize(x: float = 3.0) -> float:
    """Halves what is over 10, doubles what is from 1 to 10, refuses the rest."""
    return (
        conditional("resize")
        .if_(x > 10.0).then(halve(x=x))
        .elif_((x >= 1.0) & (x <= 10.0)).then(double(x=x))
        .else_().fail("x must be at least 1")
    )


@workflow
def coin(flag: bool = True) -> str:
    return conditional("coin").if_(flag).then(heads()).else_().then(tails())


@workflow
def on_output(x: float = 200.0) -> float:
    """The condition reads a node's output; the result feeds another task."""
    large = is_large(x=x)
    resized = conditional("shrink").if_(large.is_true()).then(halve(x=x)).else_().then(
        double(x=x)
    )
    return double(x=resized)


@workflow
def maybe_note(x: float = 5.0) -> None:
    """No else_: allowed because the arm produces nothing."""
    conditional("maybe_note").if_(x > 1.0).then(note(x=x))
