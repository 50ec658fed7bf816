"""A context variable holding the running task's identity and scratch space."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import logging
from collections.abc import Iterator


@dataclasses.dataclass(frozen=True)
class TaskContext:
    """What a running task may know about itself.

    Attributes:
        execution_id: the execution the task runs in.
        node_id: the node of the workflow, e.g. ``n2``.
        attempt: 1 for the first try, 2 for the first retry, ...
        working_directory: a scratch folder private to this attempt.
        logger: a logger whose records go to the attempt's log.
    """

    execution_id: str
    node_id: str
    attempt: int
    working_directory: str
    logger: logging.Logger


_current: contextvars.ContextVar[TaskContext | None] = contextvars.ContextVar(
    "updraft_task_context", default=None
)


def current_task_context() -> TaskContext | None:
    """The running task's context, or None outside a task run by the engine."""
    return _current.get()


@contextlib.contextmanager
def task_context(ctx: TaskContext) -> Iterator[TaskContext]:
    """Make ``ctx`` current for the duration of the block."""
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
