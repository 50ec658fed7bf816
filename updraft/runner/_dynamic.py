"""The dynamic expander: what a worker calls to turn a dynamic task into its sub-workflow.

The engine never imports this module: it reaches `expand` through the entry point
``updraft.runner._dynamic:expand`` (`updraft.model.DYNAMIC_EXPANDER`), in the worker that runs the
dynamic node's attempt. Tracing belongs to the compiler; this module adds what running needs:
the attempt's blob store and prefix for constants, and shipping by value the tasks that the
worker cannot import by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from updraft.compiler import trace_dynamic
from updraft.model import AttemptRequest, BlobIO, WorkflowSpec
from updraft.runner._run import ship_tasks_by_value


def expand(
    function: Callable[..., Any],
    kwargs: dict[str, Any],
    request: AttemptRequest,
    blob_io: BlobIO,
) -> WorkflowSpec:
    """Run a dynamic task's body with its real inputs and return the workflow it builds.

    Args:
        function: the dynamic task's plain function.
        kwargs: its inputs, converted to Python values.
        request: the attempt; its ``task_name`` names the sub-workflow
            (``<task>[dynamic]``) and constants are written under its ``output_prefix``.
        blob_io: the blob store of the attempt.

    Returns:
        The validated sub-workflow: no inputs (the values are bound as constants), the
        task's outputs, one node per call in the body.

    Raises:
        updraft.CompileError: a call in the body is wired wrongly.
        Exception: whatever the body raises.

    Example:
        >>> spec = expand(fan_out.function, {"n": 3}, request, BlobStore(root))
        >>> [n.name for n in spec.nodes]
        ['square', 'square', 'square', 'total']
    """
    spec, tasks = trace_dynamic(
        function,
        kwargs,
        name=f"{request.task_name}[dynamic]",
        blobs=blob_io,
        prefix=f"{request.output_prefix}/dynamic",
    )
    known = set(request.code_paths)

    def off_path(task: Any) -> bool:
        # Workers import a task by name from the execution's code paths; a task the body
        # reached through another root would not be found there, so it travels by value.
        root = task.identity.project_root
        return bool(root) and root not in known

    return ship_tasks_by_value(
        spec, tasks, blob_io, ships=lambda task: task.identity.by_value or off_path(task)
    )
