"""From a traced body to a checked `WorkflowSpec`: bind what the body returned to the declared
outputs, gather the nodes and the specs they call, and validate the whole.

Shared by ``@workflow`` (compiled when decorated) and dynamic bodies (traced at run time).
"""

from __future__ import annotations

from typing import Any

from updraft.compiler._binding import bind_value
from updraft.compiler._conditional import Branches
from updraft.compiler._errors import CompileError
from updraft.compiler._promise import NodeHandle
from updraft.compiler._tracer import WorkflowTracer
from updraft.model import (
    Binding,
    Interface,
    NodeSpec,
    SourceLocation,
    SpecError,
    WorkflowSpec,
    validate_workflow,
)
from updraft.types import PythonInterface


def bind_outputs(
    tracer: WorkflowTracer,
    interface: PythonInterface,
    returned: Any,
    location: SourceLocation | None,
) -> dict[str, Binding]:
    """The bindings of the declared outputs to what the body returned.

    Raises:
        CompileError: the body returns something its annotation does not declare, or a value
            of the wrong type.
    """
    name = tracer.workflow_name
    if not interface.outputs:
        if returned is not None and not _is_handle(returned):
            raise CompileError(
                f"workflow {name!r} returns a value but declares no return annotation; "
                "annotate the return type (e.g. `-> float`)",
                workflow=name,
                location=location,
            )
        return {}
    try:
        values = interface.outputs_to_dict(returned)
    except (TypeError, ValueError) as exc:
        raise CompileError(
            f"workflow {name!r} returns something that does not match its declared outputs "
            f"{list(interface.outputs)}: {exc}",
            workflow=name,
            location=location,
        ) from None
    bindings: dict[str, Binding] = {}
    for out, value in values.items():

        def fail(message: str, out: str = out) -> CompileError:
            return CompileError(
                f"workflow {name!r}: output {out!r} {message}",
                workflow=name,
                location=location,
            )

        bindings[out] = bind_value(
            value,
            interface.outputs[out],
            interface.output_types[out],
            fail,
            tracer.blobs,
            tracer.prefix,
        )
    return bindings


def _is_handle(value: Any) -> bool:
    """A call without outputs returned from a body that declares none: nothing to bind."""
    return isinstance(value, NodeHandle | Branches)


def assemble(
    tracer: WorkflowTracer,
    *,
    name: str,
    interface: PythonInterface,
    returned: Any,
    location: SourceLocation | None,
    docstring: str = "",
    failure_policy: str = "fail_immediately",
    on_failure: NodeSpec | None = None,
    model_interface: Interface | None = None,
) -> WorkflowSpec:
    """The validated spec of a traced body.

    Raises:
        CompileError: outputs that do not match, or a graph that does not hold together
            (a cycle made with ``>>``), naming the workflow.
    """
    outputs = bind_outputs(tracer, interface, returned, location)
    spec = WorkflowSpec(
        name=name,
        interface=model_interface or interface.to_model(),
        nodes=tracer.node_specs(),
        outputs=outputs,
        tasks=dict(tracer.tasks),
        location=location,
        docstring=docstring,
        subworkflows=dict(tracer.subworkflows),
        failure_policy=failure_policy,
        on_failure=on_failure,
    )
    try:
        validate_workflow(spec)
    except SpecError as exc:
        hint = "; check the `a >> b` orderings in its body" if "cycle" in str(exc) else ""
        raise CompileError(f"{exc}{hint}", workflow=name, location=location) from None
    return spec
