"""`@workflow`: a function whose body is traced once into a `WorkflowSpec`.

Compilation happens when the decorator runs, so a wiring mistake fails at import time with
the user's file and line, not halfway through a run. Running goes through the runner (an
upper layer), reached by name so that this module does not import it.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar, overload

from updraft.compiler._errors import CompileError
from updraft.compiler._promise import Promise
from updraft.compiler._tracer import WorkflowTracer, bind_value
from updraft.model import (
    Binding,
    InputRef,
    Interface,
    NodeSpec,
    OutputRef,
    SourceLocation,
    WorkflowSpec,
    content_hash,
    validate_workflow,
)
from updraft.sdk import CodeIdentity, PythonTask, active_tracer, identify, tracing
from updraft.types import interface_of

P = ParamSpec("P")
R = TypeVar("R")


class Workflow(Generic[P, R]):
    """A compiled workflow. ``spec`` is the `WorkflowSpec`; calling it runs it locally."""

    def __init__(self, function: Callable[P, R]) -> None:
        functools.update_wrapper(self, function)
        self.function = function
        self.identity: CodeIdentity = identify(function)
        self.python_interface = interface_of(function)
        self.tasks: dict[str, PythonTask[Any, Any]] = {}
        self.spec: WorkflowSpec = _compile(self)
        self.spec_hash = content_hash(self.spec)

    @property
    def name(self) -> str:
        return self.spec.name

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        if active_tracer() is not None:
            raise CompileError(
                f"workflow {self.name!r} is called inside another workflow; subworkflows are "
                "not supported yet. Call its tasks directly in the outer workflow.",
                workflow=self.name,
            )
        if args:
            keywords = ", ".join(f"{n}=..." for n in self.python_interface.inputs)
            raise TypeError(
                f"workflow {self.name!r} takes keyword arguments only: "
                f"{self.function.__name__}({keywords})"
            )
        runner = importlib.import_module("updraft.runner")
        result: R = runner.run_entity(self, kwargs, launched_by="api").python_outputs
        return result

    def __repr__(self) -> str:
        return f"<workflow {self.name}>"


class _RecordingTracer(WorkflowTracer):
    """Also keeps the Python task objects, which the runner needs to ship by value."""

    def __init__(self, name: str, sink: dict[str, PythonTask[Any, Any]]) -> None:
        super().__init__(name)
        self.sink = sink

    def call_task(self, task: Any, args: Any, kwargs: Any, frame: Any) -> Any:
        out = super().call_task(task, args, kwargs, frame)
        self.sink[task.spec.name] = task
        return out


def _location(function: Callable[..., Any]) -> SourceLocation | None:
    code = getattr(function, "__code__", None)
    return SourceLocation(code.co_filename, code.co_firstlineno) if code else None


def _compile(wf: Workflow[Any, Any]) -> WorkflowSpec:
    name = wf.identity.name
    tracer = _RecordingTracer(name, wf.tasks)
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
    location = _location(wf.function)
    outputs = _bind_outputs(tracer, wf, returned, location)
    spec = WorkflowSpec(
        name=name,
        interface=iface.to_model(),
        nodes=tracer.node_specs(),
        outputs=outputs,
        tasks=dict(tracer.tasks),
        location=location,
        docstring=inspect.getdoc(wf.function) or "",
    )
    validate_workflow(spec)
    return spec


def _bind_outputs(
    tracer: WorkflowTracer, wf: Workflow[Any, Any], returned: Any, location: SourceLocation | None
) -> dict[str, Binding]:
    iface = wf.python_interface
    if not iface.outputs:
        if returned is not None:
            raise CompileError(
                f"workflow {wf.identity.name!r} returns a value but declares no return "
                "annotation; annotate the return type (e.g. `-> float`)",
                workflow=wf.identity.name,
                location=location,
            )
        return {}
    try:
        values = iface.outputs_to_dict(returned)
    except (TypeError, ValueError) as exc:
        raise CompileError(
            f"workflow {wf.identity.name!r} returns something that does not match its "
            f"declared outputs {list(iface.outputs)}: {exc}",
            workflow=wf.identity.name,
            location=location,
        ) from None
    bindings: dict[str, Binding] = {}
    for out, value in values.items():

        def fail(message: str, out: str = out) -> CompileError:
            return CompileError(
                f"workflow {wf.identity.name!r}: output {out!r} {message}",
                workflow=wf.identity.name,
                location=location,
            )

        bindings[out] = bind_value(value, iface.outputs[out], iface.output_types[out], fail)
    return bindings


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


@overload
def workflow(_function: Callable[P, R], /) -> Workflow[P, R]: ...


@overload
def workflow() -> Callable[[Callable[P, R]], Workflow[P, R]]: ...


def workflow(
    _function: Callable[P, R] | None = None, /
) -> Workflow[P, R] | Callable[[Callable[P, R]], Workflow[P, R]]:
    """Make a function a workflow: its body wires tasks together and is compiled now.

    Inputs may have defaults; outputs may be one value, a tuple or a NamedTuple.

    Raises:
        CompileError: a task gets a wrong type, a missing or unknown input, or the body returns
            something that does not match the declared outputs. The message starts with
            the file and line of the offending call.

    Example:
        >>> @workflow
        ... def pipeline(x: int = 1) -> int:
        ...     return double(x=double(x=x))
    """
    if _function is not None:
        return Workflow(_function)
    return Workflow

