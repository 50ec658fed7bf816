"""`current_context()`: what a running task may know about its execution."""

from __future__ import annotations

import logging
import tempfile

from updraft._runtime import TaskContext, current_task_context

_local: TaskContext | None = None


def current_context() -> TaskContext:
    """The running task's context: execution id, node id, attempt, a private working
    directory and a logger.

    Outside the engine (a task called as a plain function) it returns a local context with a
    temporary working directory, so task code does not need two paths.

    Example:
        >>> path = os.path.join(current_context().working_directory, "model.joblib")
    """
    ctx = current_task_context()
    if ctx is not None:
        return ctx
    global _local
    if _local is None:
        _local = TaskContext(
            execution_id="local",
            node_id="local",
            attempt=1,
            working_directory=tempfile.mkdtemp(prefix="updraft-local-"),
            logger=logging.getLogger("updraft.task"),
        )
    return _local
