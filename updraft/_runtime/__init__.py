"""The context of the task that is running now, behind `updraft.current_context()`.

The engine's worker sets it around each task call; the SDK reads it. It lives below both so
that neither has to import the other.
"""

from updraft._runtime._context import TaskContext, current_task_context, task_context

__all__ = ["TaskContext", "current_task_context", "task_context"]
