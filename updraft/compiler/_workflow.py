"""`@workflow`: a function whose body is traced once into a `WorkflowSpec`.

Compilation happens when the decorator runs, so a wiring mistake fails at import time with
the user's file and line, not halfway through a run. Running goes through the runner (an
upper layer), reached by name so that this module does not import it.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import sys
from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar, overload

from updraft.compiler._assemble import assemble
from updraft.compiler._failure import WorkflowFailurePolicy, failure_node, policy_name
from updraft.compiler._nodes import TracedNode
from updraft.compiler._promise import Promise
from updraft.compiler._tracer import WorkflowTracer
from updraft.model import (
    InputRef,
    Interface,
    NodeSpec,
    OutputRef,
    WorkflowSpec,
    content_hash,
)
from updraft.sdk import (
    CodeIdentity,
    PythonTask,
    active_tracer,
    function_location,
    identify,
    tracing,
)
from updraft.types import interface_of

P = ParamSpec("P")
R = TypeVar("R")


class Workflow(Generic[P, R]):
    """A compiled workflow. ``spec`` is the `WorkflowSpec`; calling it runs it locally, and
    calling it in another workflow's body nests it there as a subworkflow."""

    def __init__(
        self,
        function: Callable[P, R],
        *,
        failure_policy: str | WorkflowFailurePolicy = WorkflowFailurePolicy.FAIL_IMMEDIATELY,
        on_failure: Any = None,
    ) -> None:
        functools.update_wrapper(self, function)
        self.function = function
        self.identity: CodeIdentity = identify(function)
        self.python_interface = interface_of(function)
        self.tasks: dict[str, PythonTask[Any, Any]] = {}
        self.spec: WorkflowSpec = _compile(self, failure_policy, on_failure)
        self.spec_hash = content_hash(self.spec)

    @property
    def name(self) -> str:
        return self.spec.name

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        tracer = active_tracer()
        if isinstance(tracer, WorkflowTracer):
            result: R = tracer.call_workflow(self, args, kwargs, sys._getframe(1))
            return result
        if args:
            keywords = ", ".join(f"{n}=..." for n in self.python_interface.inputs)
            raise TypeError(
                f"workflow {self.name!r} takes keyword arguments only: "
                f"{self.function.__name__}({keywords})"
            )
        runner = importlib.import_module("updraft.runner")
        result = runner.run_entity(self, kwargs, launched_by="api").python_outputs
        return result

    def __repr__(self) -> str:
        return f"<workflow {self.name}>"


def _compile(wf: Workflow[Any, Any], failure_policy: Any, on_failure: Any) -> WorkflowSpec:
    name = wf.identity.name
    location = function_location(wf.function)
    policy = policy_name(name, failure_policy, location)
    tracer = WorkflowTracer(name)
    iface = wf.python_interface
    promises = {
        input_name: Promise(
            InputRef(input_name),
            info.literal_type,
            info.annotation,
            f"workflow input {input_name!r}",
            None,
            tracer,
        )
        for input_name, info in iface.inputs.items()
    }
    with tracing(tracer):
        returned = wf.function(**promises)
    tracer.finish()
    failure = None
    if on_failure is not None:
        failure = failure_node(name, iface.inputs, on_failure, location)
        _add_handler(tracer, failure, on_failure)
    wf.tasks.update(tracer.python_tasks)
    return assemble(
        tracer,
        name=name,
        interface=iface,
        returned=returned,
        location=location,
        docstring=inspect.getdoc(wf.function) or "",
        failure_policy=policy,
        on_failure=failure,
    )


def _add_handler(tracer: WorkflowTracer, node: NodeSpec, handler: Any) -> None:
    """The handler's spec goes with the workflow's, like any node's."""
    traced = TracedNode(id=node.id, name=node.name, kind=node.kind, location=node.location)
    if isinstance(handler, PythonTask):
        tracer.add_task(traced, handler)
    else:
        tracer.add_workflow(traced, handler)


def task_workflow(task: PythonTask[Any, Any]) -> Workflow[Any, Any]:
    """A one-node workflow around ``task``, so a single task runs through the same engine.

    Its inputs and outputs are the task's; its name is the task's name.
    """
    wf = Workflow.__new__(Workflow)
    functools.update_wrapper(wf, task.function)
    wf.function = task.function
    wf.identity = task.identity
    wf.python_interface = task.python_interface
    wf.tasks = {task.spec.name: task}
    iface = task.spec.interface
    node = NodeSpec(
        id="n0",
        task=task.spec.name,
        name=task.function.__name__,
        inputs={k: InputRef(k) for k in iface.inputs},
        location=task.spec.location,
    )
    wf.spec = WorkflowSpec(
        name=task.spec.name,
        interface=Interface(inputs=iface.inputs, outputs=iface.outputs),
        nodes=(node,),
        outputs={k: OutputRef("n0", k) for k in iface.outputs},
        tasks={task.spec.name: task.spec},
        location=task.spec.location,
        docstring=task.spec.docstring,
    )
    wf.spec_hash = content_hash(wf.spec)
    return wf


Policy = str | WorkflowFailurePolicy


@overload
def workflow(_function: Callable[P, R], /) -> Workflow[P, R]: ...


@overload
def workflow(
    *,
    failure_policy: Policy = WorkflowFailurePolicy.FAIL_IMMEDIATELY,
    on_failure: Any = None,
) -> Callable[[Callable[P, R]], Workflow[P, R]]: ...


def workflow(
    _function: Callable[P, R] | None = None,
    /,
    *,
    failure_policy: Policy = WorkflowFailurePolicy.FAIL_IMMEDIATELY,
    on_failure: Any = None,
) -> Workflow[P, R] | Callable[[Callable[P, R]], Workflow[P, R]]:
    """Make a function a workflow: its body wires calls together and is compiled now.

    Inputs may have defaults; outputs may be one value, a tuple or a NamedTuple. The body may
    call tasks, `updraft.map_task`s, other workflows (run as subworkflows), launch plans (run
    as child executions) and `updraft.conditional`; ``a >> b`` orders two calls, and
    ``with_overrides(...)`` on what a call returns changes that node.

    Args:
        failure_policy: ``"fail_immediately"`` (the default) stops everything when a node
            fails; ``"fail_after_executable_nodes_complete"`` lets the nodes that do not
            depend on the failure finish first. A `WorkflowFailurePolicy` works too.
        on_failure: a task or workflow run when the execution fails. It must declare
            ``error: str`` (the failure's message); its other inputs receive the workflow's
            inputs of the same name.

    Raises:
        CompileError: a call gets a wrong type, a missing or unknown input, the body returns
            something that does not match the declared outputs, or a construct is misused
            (a conditional's arms differ, a map over a non-list, ...). The message starts
            with the file and line of the offending call and names the node.

    Example:
        >>> @workflow(failure_policy="fail_after_executable_nodes_complete", on_failure=alert)
        ... def pipeline(x: int = 1) -> int:
        ...     return double(x=double(x=x))
    """

    def wrap(function: Callable[P, R]) -> Workflow[P, R]:
        return Workflow(function, failure_policy=failure_policy, on_failure=on_failure)

    if _function is not None:
        return wrap(_function)
    return wrap
