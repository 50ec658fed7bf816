"""Failure policies, failure handlers, node overrides and explicit ordering."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Optional

from updraft import Resources, WorkflowFailurePolicy, task, workflow


def _mark(name: str, text: str = "x") -> None:
    folder = os.environ.get("UPDRAFT_TEST_DIR")
    if folder:
        with open(os.path.join(folder, name), "a") as f:
            f.write(text)


@task
def boom(x: int) -> int:
    raise ValueError(f"boom on {x}")


@task
def slow_ok(x: int) -> int:
    _mark("slow_ok")
    return x


@task
def alert(error: str, x: int) -> None:
    """The failure handler: gets the workflow's input ``x`` and the error message."""
    _mark("alert", error)


@task
def tidy(error: Optional[str]) -> None:  # noqa: UP045 (the spelling users write)
    _mark("tidy", error or "")


@task
def prepare() -> None:
    _mark("prepare")


@task
def train(x: int) -> int:
    return x * 2


@workflow(
    failure_policy=WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE,
    on_failure=alert,
)
def guarded(x: int = 1) -> int:
    """``boom`` fails; ``slow_ok`` still runs to its end, then ``alert`` gets the error."""
    slow_ok(x=x)
    return boom(x=x)


@workflow(on_failure=tidy)
def tidied(x: int = 1) -> int:
    return boom(x=x)


@workflow
def tuned(x: int = 1) -> int:
    """``prepare`` runs before ``train``; ``train`` has its own name and settings here."""
    ready = prepare()
    model = train(x=x).with_overrides(
        name="train_big",
        limits=Resources(mem="300Mi", cpu=1),
        retries=2,
        timeout=timedelta(minutes=5),
        cache=True,
        cache_version="2",
    )
    ready >> model
    return model
