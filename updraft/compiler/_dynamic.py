"""Tracing a dynamic task's body with its real input values into a `WorkflowSpec`.

The body runs as plain Python (loops and ``if`` over real values); its task, map, workflow,
launch plan and conditional calls become nodes, as in a workflow body. Constants, the input
values among them, become literals written through the blob store handed in, under the
attempt's prefix, so files and frames may be passed on. What the body returns binds to the
task's declared outputs. Running the result is the engine's job.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from updraft.compiler._assemble import assemble
from updraft.compiler._tracer import WorkflowTracer
from updraft.model import BlobIO, Interface, WorkflowSpec
from updraft.sdk import function_location, tracing
from updraft.types import interface_of


def trace_dynamic(
    function: Callable[..., Any],
    kwargs: dict[str, Any],
    *,
    name: str,
    blobs: BlobIO,
    prefix: str,
) -> tuple[WorkflowSpec, dict[str, Any]]:
    """Run ``function(**kwargs)`` with calls traced; return the sub-workflow and the Python
    task objects its nodes call (for shipping by value).

    Args:
        function: the dynamic task's plain function.
        kwargs: its inputs as Python values.
        name: the sub-workflow's name.
        blobs: where constants that are blobs (files, frames, pickles) are written.
        prefix: the blob prefix to write them under, unique to the attempt.

    Raises:
        CompileError: a call in the body is wired wrongly, or the body returns something
            that does not match the task's outputs.
        Exception: whatever the body itself raises.
    """
    interface = interface_of(function)
    tracer = WorkflowTracer(name, blobs=blobs, prefix=prefix)
    with tracing(tracer):
        returned = function(**kwargs)
    tracer.finish()
    location = function_location(function)
    spec = assemble(
        tracer,
        name=name,
        interface=interface,
        returned=returned,
        location=location,
        model_interface=Interface(outputs=dict(interface.output_types)),
    )
    return spec, dict(tracer.python_tasks)
