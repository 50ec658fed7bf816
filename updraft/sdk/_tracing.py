"""The hook through which a call inside a workflow body becomes a node.

The SDK cannot import the compiler (it sits above the SDK), so the compiler installs a
`Tracer` here while it traces a body, and `PythonTask.__call__`, `MapTask.__call__` and
`LaunchPlan.__call__` hand themselves to it.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from types import FrameType
from typing import Any, Protocol


class Tracer(Protocol):
    """Records the calls made while a workflow body is being traced."""

    def call_task(
        self, task: Any, args: tuple[Any, ...], kwargs: dict[str, Any], frame: FrameType | None
    ) -> Any:
        """Add a node for ``task`` and return what the body should see as its outputs."""
        ...

    def call_map(
        self, mapped: Any, args: tuple[Any, ...], kwargs: dict[str, Any], frame: FrameType | None
    ) -> Any:
        """Add a map node for the `MapTask` ``mapped``; return promises of its lists."""
        ...

    def call_launch_plan(
        self, plan: Any, args: tuple[Any, ...], kwargs: dict[str, Any], frame: FrameType | None
    ) -> Any:
        """Add a node that launches ``plan`` as a child execution; return its outputs."""
        ...


_active: contextvars.ContextVar[Tracer | None] = contextvars.ContextVar(
    "updraft_tracer", default=None
)


def active_tracer() -> Tracer | None:
    """The tracer of the workflow body being compiled, or None when running for real."""
    return _active.get()


@contextlib.contextmanager
def tracing(tracer: Tracer) -> Iterator[Tracer]:
    """Install ``tracer`` for the duration of the block."""
    token = _active.set(tracer)
    try:
        yield tracer
    finally:
        _active.reset(token)
