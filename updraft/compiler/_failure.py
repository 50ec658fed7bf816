"""What a workflow does when it fails: its failure policy and its ``on_failure`` handler.

The handler (a task or a workflow) becomes the spec's ``on_failure`` node. Its inputs bind by
name to the workflow's inputs, except ``error``, which is left unbound: the engine passes the
failure's message there as a ``str`` when it runs the handler.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from updraft.compiler._errors import CompileError
from updraft.model import (
    FAILURE_POLICIES,
    ON_FAILURE_NODE,
    Binding,
    InputRef,
    LiteralType,
    NodeSpec,
    SourceLocation,
    ValueBinding,
    WorkflowSpec,
)
from updraft.sdk import PythonTask
from updraft.types import InputInfo, describe, is_assignable

#: The input of the handler that receives the error message (its node's id is
#: `updraft.model.ON_FAILURE_NODE`).
ERROR_INPUT = "error"


class WorkflowFailurePolicy(enum.StrEnum):
    """What a workflow does when a node fails (flytekit's names).

    ``FAIL_IMMEDIATELY`` stops every running node and fails at once (the default);
    ``FAIL_AFTER_EXECUTABLE_NODES_COMPLETE`` lets the nodes that do not depend on the
    failure run to their end first, then fails.
    """

    FAIL_IMMEDIATELY = "fail_immediately"
    FAIL_AFTER_EXECUTABLE_NODES_COMPLETE = "fail_after_executable_nodes_complete"


def policy_name(workflow: str, policy: Any, location: SourceLocation | None) -> str:
    """The policy as the spec stores it.

    Raises:
        CompileError: an unknown policy, naming the known ones.
    """
    value = policy.value if isinstance(policy, WorkflowFailurePolicy) else policy
    if value not in FAILURE_POLICIES:
        raise CompileError(
            f"workflow {workflow!r}: unknown failure_policy {policy!r}; use one of "
            f"{', '.join(map(repr, FAILURE_POLICIES))} or a WorkflowFailurePolicy",
            workflow=workflow,
            location=location,
        )
    return str(value)


def failure_node(
    workflow: str,
    inputs: Mapping[str, InputInfo],
    handler: Any,
    location: SourceLocation | None,
) -> NodeSpec:
    """The ``on_failure`` node that runs ``handler`` with the workflow's inputs and the error.

    Raises:
        CompileError: naming the handler, when it is not a task or workflow, lacks an
            ``error: str`` input, or declares an input the workflow cannot give it.
    """
    is_task = isinstance(handler, PythonTask)
    is_workflow = not is_task and hasattr(handler, "spec") and hasattr(handler, "tasks")
    if not (is_task or is_workflow):
        raise CompileError(
            f"workflow {workflow!r}: on_failure takes a @task or a @workflow, got "
            f"{type(handler).__name__} {handler!r}",
            workflow=workflow,
            location=location,
        )
    name = handler.function.__name__
    where = f"workflow {workflow!r}: on_failure handler {name!r}"

    def fail(message: str, input: str | None = None) -> CompileError:
        return CompileError(f"{where} {message}", workflow=workflow, node=ON_FAILURE_NODE,
                            input=input, location=location)

    declared: dict[str, InputInfo] = handler.python_interface.inputs
    error = declared.get(ERROR_INPUT)
    if error is None or not is_assignable(LiteralType("str"), error.literal_type):
        got = "has none" if error is None else f"declares it as {describe(error.annotation)}"
        raise fail(
            f"must declare an input `{ERROR_INPUT}: str`, which receives the error message "
            f"when the workflow fails; it {got}",
            ERROR_INPUT,
        )
    bindings: dict[str, Binding] = {}
    spec: WorkflowSpec | None = handler.spec if is_workflow else None
    for input_name, info in declared.items():
        if input_name == ERROR_INPUT:
            continue
        source = inputs.get(input_name)
        if source is not None:
            if not is_assignable(source.literal_type, info.literal_type):
                raise fail(
                    f"takes input {input_name!r} as {describe(info.annotation)}, but the "
                    f"workflow's input of that name is {describe(source.annotation)}; make the "
                    "types match",
                    input_name,
                )
            bindings[input_name] = InputRef(input_name)
        elif info.has_default:
            default = spec.interface.inputs[input_name].default if spec is not None else None
            if spec is not None:
                if default is None:
                    raise fail(
                        f"has input {input_name!r}, which the workflow lacks and whose "
                        "default is stored as a blob; give the handler no such input",
                        input_name,
                    )
                bindings[input_name] = ValueBinding(default)
        else:
            raise fail(
                f"declares input {input_name!r}, which the workflow does not have; the handler "
                f"receives the workflow's inputs by name ({', '.join(inputs) or 'none'}) and "
                f"`{ERROR_INPUT}`. Remove it or give it a default",
                input_name,
            )
    if is_task:
        return NodeSpec(id=ON_FAILURE_NODE, task=handler.spec.name, name=name, inputs=bindings,
                        location=location)
    return NodeSpec(id=ON_FAILURE_NODE, task="", name=name, inputs=bindings, location=location,
                    kind="subworkflow", workflow=handler.name)
