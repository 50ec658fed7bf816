"""Traces a body: each call becomes a `NodeSpec` with checked bindings.

A body calls tasks, map tasks, workflows (subworkflows) and launch plans; each call is
handed here (through `updraft.sdk.active_tracer`), its inputs are bound and type-checked, and
the body gets promises for its outputs. Conditionals capture the single call of each arm
instead of adding it to the body's nodes (see `updraft.compiler._conditional`).

The tracer only records: it runs nothing and stores nothing. In a workflow body constants are
converted without a blob store; a dynamic body hands one in, so its real values (files,
frames) become literals too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Any

from updraft.compiler._binding import NO_BLOBS, bind_value
from updraft.compiler._condition import ConditionExpr, compare
from updraft.compiler._errors import CompileError
from updraft.compiler._map import bind_map
from updraft.compiler._nodes import (
    NodeOutputs,
    TracedNode,
    location_of,
    outputs_of,
    user_frame,
)
from updraft.compiler._overrides import OverrideError, merge, parse_overrides
from updraft.compiler._promise import NodeHandle, Promise, node_of, with_handle
from updraft.model import (
    Binding,
    BlobIO,
    NodeOverrides,
    NodeSpec,
    OutputRef,
    SourceLocation,
    TaskSpec,
    ValueBinding,
    WorkflowSpec,
    binding_refs,
)
from updraft.sdk import source_version
from updraft.types import InputInfo, describe


@dataclasses.dataclass
class _Capture:
    """An open arm of a conditional: the next call becomes its node, with id ``node_id``."""

    node_id: str
    conditional: str
    node: TracedNode | None = None


class WorkflowTracer:
    """Collects nodes while a body runs with promises in place of values.

    Attributes:
        workflow_name: the workflow (or dynamic task) whose body this is, for messages.
        nodes: the top-level nodes in creation order.
        tasks: the specs of every task a node calls, by name.
        subworkflows: the specs of every workflow a node runs, nested ones flattened in.
        python_tasks: the Python task objects, which the runner ships by value.
    """

    def __init__(
        self, workflow_name: str, *, blobs: BlobIO = NO_BLOBS, prefix: str = ""
    ) -> None:
        self.workflow_name = workflow_name
        self.blobs = blobs
        self.prefix = prefix
        self.nodes: list[TracedNode] = []
        self.tasks: dict[str, TaskSpec] = {}
        self.subworkflows: dict[str, WorkflowSpec] = {}
        self.python_tasks: dict[str, Any] = {}
        self._by_id: dict[str, TracedNode] = {}
        self._capture: _Capture | None = None
        self._final_checks: list[Callable[[], None]] = []

    # -- messages ---------------------------------------------------------------------------

    def error(
        self,
        message: str,
        *,
        node: TracedNode | None = None,
        input: str | None = None,
        location: SourceLocation | None = None,
    ) -> CompileError:
        where = f"workflow {self.workflow_name!r}"
        if node is not None:
            where += f", node {node.name!r} ({node.id})"
        if input is not None:
            where += f": input {input!r}"
        elif node is None:
            where += ":"
        return CompileError(
            f"{where} {message}",
            workflow=self.workflow_name,
            node=node.id if node else None,
            input=input,
            location=location or (node.location if node else None),
        )

    # -- node bookkeeping -------------------------------------------------------------------

    def new_node(self, name: str, kind: str, location: SourceLocation | None) -> TracedNode:
        """A node with the next id: ``n<k>`` at the top level, the arm's id inside an arm."""
        capture = self._capture
        if capture is None:
            return TracedNode(id=f"n{len(self.nodes)}", name=name, kind=kind, location=location)
        if capture.node is not None:
            raise self.error(
                f"conditional {capture.conditional!r}, arm {capture.node_id}: an arm takes a "
                f"single call, but "
                f"{capture.node.name!r} and {name!r} are both called in it. Nested calls "
                "such as then(a(x=b())) count as two: call b before the conditional and pass "
                "its output in",
                location=location,
            )
        return TracedNode(id=capture.node_id, name=name, kind=kind, location=location)

    def add_node(self, node: TracedNode) -> None:
        """Append a top-level node (a conditional's own node, before its arms are known)."""
        self.nodes.append(node)
        self._by_id[node.id] = node

    def finish_node(self, node: TracedNode, outputs: NodeOutputs) -> Any:
        """Record ``node`` (or hand it to the open arm) and return what the body sees."""
        node.outputs = outputs
        for binding in node.inputs.values():
            for ref in binding_refs(binding):
                node.wait_for(ref.node)
        if self._capture is not None:
            self._capture.node = node
        else:
            self.add_node(node)
        return self.promises(node, outputs)

    def promises(self, node: TracedNode, outputs: NodeOutputs) -> Any:
        """Promises for the outputs of ``node``, packed as its call returns them."""
        if not outputs.types:
            return NodeHandle(node.id, self)
        named = {
            out: Promise(
                OutputRef(node=node.id, output=out),
                lt,
                outputs.annotations[out],
                f"output {out!r} of node {node.name!r} ({node.id})",
                node.id,
                self,
            )
            for out, lt in outputs.types.items()
        }
        return with_handle(outputs.pack(named))

    def node_specs(self) -> tuple[NodeSpec, ...]:
        """The top-level nodes as specs, in creation order."""
        return tuple(n.spec() for n in self.nodes)

    # -- conditionals' arms -----------------------------------------------------------------

    def begin_arm(self, node_id: str, conditional: str) -> None:
        """Make the next call the node of an arm, with id ``node_id``. The conditional has
        already refused an arm opened inside another's, so no arm is open here."""
        self._capture = _Capture(node_id, conditional)

    def end_arm(self) -> TracedNode | None:
        """Close the open arm and return the node its call made (None: no call)."""
        capture, self._capture = self._capture, None
        return capture.node if capture is not None else None

    @property
    def in_arm(self) -> bool:
        """Whether an arm of a conditional is open."""
        return self._capture is not None

    def at_finish(self, check: Callable[[], None]) -> None:
        """Run ``check`` when the body has returned (a conditional checks it was completed)."""
        self._final_checks.append(check)

    def finish(self) -> None:
        """Checks that need the whole body: every conditional completed.

        Raises:
            CompileError: naming what was left open.
        """
        for check in self._final_checks:
            check()

    # -- calls ------------------------------------------------------------------------------

    def call_task(
        self, task: Any, args: tuple[Any, ...], kwargs: dict[str, Any], frame: FrameType | None
    ) -> Any:
        """A task called in the body: a ``task`` node (a dynamic task's too)."""
        spec: TaskSpec = task.spec
        node = self.new_node(task.function.__name__, "task", location_of(frame))
        node.task = spec.name
        node.python_task = task
        self._refuse_positional(node, args, task.python_interface.inputs)
        self.bind_inputs(node, task.python_interface.inputs, kwargs)
        self.add_task(node, task)
        return self.finish_node(node, outputs_of(task.python_interface))

    def call_map(
        self, mapped: Any, args: tuple[Any, ...], kwargs: dict[str, Any], frame: FrameType | None
    ) -> Any:
        """A map task called in the body: a ``map`` node over its list inputs."""
        task = mapped.task
        node = self.new_node(task.function.__name__, "map", location_of(frame))
        node.task = task.spec.name
        node.python_task = task
        self._refuse_positional(node, args, task.python_interface.inputs)
        outputs = bind_map(self, node, mapped, kwargs)
        self.add_task(node, task)
        return self.finish_node(node, outputs)

    def call_workflow(
        self, wf: Any, args: tuple[Any, ...], kwargs: dict[str, Any], frame: FrameType | None
    ) -> Any:
        """A workflow called in the body: a ``subworkflow`` node running its nodes."""
        node = self.new_node(wf.function.__name__, "subworkflow", location_of(frame))
        return self._call_child(node, wf, args, kwargs)

    def call_launch_plan(
        self, plan: Any, args: tuple[Any, ...], kwargs: dict[str, Any], frame: FrameType | None
    ) -> Any:
        """A launch plan called in the body: a ``launchplan`` node, a child execution."""
        wf = plan.workflow
        name = wf.function.__name__ if plan.name == wf.name else plan.name
        node = self.new_node(name, "launchplan", location_of(frame))
        node.launch_plan = plan.name
        return self._call_child(node, wf, args, kwargs, plan=plan)

    def _call_child(
        self,
        node: TracedNode,
        wf: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        plan: Any = None,
    ) -> Any:
        """Bind and add a node that runs workflow ``wf``; through ``plan``'s inputs, if any."""
        node.workflow = wf.name
        self._refuse_positional(node, args, wf.python_interface.inputs)
        preset = self._plan_inputs(node, plan, kwargs) if plan is not None else None
        self.bind_inputs(node, wf.python_interface.inputs, kwargs, defaults=wf.spec,
                         preset=preset)
        self.add_workflow(node, wf)
        return self.finish_node(node, outputs_of(wf.python_interface))

    def _plan_inputs(
        self, node: TracedNode, plan: Any, kwargs: dict[str, Any]
    ) -> dict[str, Binding]:
        """A launch plan's default and fixed inputs as bindings; refuses a call that passes
        a fixed one."""
        fixed = sorted(set(kwargs) & set(plan.spec.fixed_inputs))
        if fixed:
            raise self.error(
                f"passes input(s) {', '.join(map(repr, fixed))}, which launch plan "
                f"{plan.name!r} fixes; call the workflow {plan.workflow.name!r} itself, or "
                "another plan, to choose them",
                node=node,
            )
        return {
            n: ValueBinding(v)
            for values in (plan.spec.default_inputs, plan.spec.fixed_inputs)
            for n, v in values.items()
        }

    def _refuse_positional(
        self, node: TracedNode, args: tuple[Any, ...], inputs: Mapping[str, Any]
    ) -> None:
        if args:
            keywords = ", ".join(f"{n}=..." for n in inputs)
            raise self.error(
                f"passes {len(args)} positional argument(s); inside a workflow, call tasks "
                f"with keywords: {node.name}({keywords})",
                node=node,
            )

    def bind_inputs(
        self,
        node: TracedNode,
        inputs: Mapping[str, InputInfo],
        kwargs: dict[str, Any],
        *,
        defaults: WorkflowSpec | None = None,
        preset: Mapping[str, Binding] | None = None,
    ) -> None:
        """Bind every input of a call, checking names and types.

        A task's own defaults apply when it runs, so its missing inputs stay unbound; a
        workflow's (``defaults``) are bound here, so that the child needs nothing more.
        ``preset`` bindings (a launch plan's inputs) fill inputs the call leaves out.
        """
        for name in kwargs:
            if name not in inputs:
                raise self.error(
                    f"has no input {name!r}; its inputs are {sorted(inputs)}",
                    node=node,
                )
        for name, info in inputs.items():
            if name in kwargs:
                node.inputs[name] = self.bind(node, name, kwargs[name], info)
            elif preset and name in preset:
                node.inputs[name] = preset[name]
            elif info.has_default:
                if defaults is not None:
                    node.inputs[name] = self._bind_default(node, name, info, defaults)
            else:
                raise self.error(
                    f"is missing (type {info.literal_type.describe()}). Pass {name}=... in "
                    f"the call to {node.name}",
                    node=node,
                    input=name,
                )

    def bind(self, node: TracedNode, name: str, value: Any, info: InputInfo) -> Binding:
        """The checked binding of ``value`` for input ``name`` of ``node``."""

        def fail(message: str) -> CompileError:
            return self.error(message, node=node, input=name)

        return bind_value(
            value, info.annotation, info.literal_type, fail, self.blobs, self.prefix
        )

    def _bind_default(
        self, node: TracedNode, name: str, info: InputInfo, wf: WorkflowSpec
    ) -> Binding:
        literal = wf.interface.inputs[name].default
        if literal is not None:
            return ValueBinding(literal)

        def fail(message: str) -> CompileError:
            return self.error(
                f"is not passed, and the default of workflow {wf.name!r} for it "
                f"({describe(info.annotation)}) is stored as a blob, which a workflow body "
                f"cannot write. Pass {name}=... in the call, e.g. from an input of this "
                "workflow with that default",
                node=node,
                input=name,
            )

        return bind_value(
            info.default, info.annotation, info.literal_type, fail, self.blobs, self.prefix
        )

    def add_task(self, node: TracedNode, task: Any) -> None:
        """Record the spec and Python object of the task a node calls."""
        spec: TaskSpec = task.spec
        previous = self.tasks.get(spec.name)
        if previous is not None and previous != spec:
            raise self.error(
                f"calls a task named {spec.name!r} that differs from another task of the "
                "same name in this workflow; give one of them another name",
                node=node,
            )
        self.tasks[spec.name] = spec
        self._add_python_task(node, task)

    def _add_python_task(self, node: TracedNode, task: Any) -> None:
        previous = self.python_tasks.get(task.spec.name)
        if previous is not None and previous is not task and previous.spec != task.spec:
            raise self.error(
                f"runs a task named {task.spec.name!r} that differs from another task of the "
                "same name in this workflow or its subworkflows; give one of them another name",
                node=node,
            )
        self.python_tasks[task.spec.name] = task

    def add_workflow(self, node: TracedNode, wf: Any) -> None:
        """Record the spec of a workflow a node runs, its nested workflows and its tasks."""
        specs = {wf.name: wf.spec, **wf.spec.subworkflows}
        for name, spec in specs.items():
            previous = self.subworkflows.get(name)
            if previous is not None and previous != spec:
                raise self.error(
                    f"runs a workflow named {name!r} that differs from another workflow of "
                    "the same name in this workflow; give one of them another name",
                    node=node,
                )
            self.subworkflows[name] = spec
        for task in wf.tasks.values():
            self._add_python_task(node, task)

    # -- ordering, overrides, conditions ----------------------------------------------------

    def node(self, node_id: str) -> TracedNode:
        """The top-level node with ``node_id``."""
        return self._by_id[node_id]

    def order(self, before: Any, after: Any) -> Any:
        """``before >> after``: the node of ``after`` waits for that of ``before``."""
        location = location_of(user_frame())
        ids = []
        for side, value in (("left", before), ("right", after)):
            node_id = node_of(value)
            if node_id is None or node_id not in self._by_id:
                what = (
                    value.origin if isinstance(value, Promise)
                    else f"{type(value).__name__} {value!r}"
                )
                raise self.error(
                    f"`a >> b` orders the nodes of two calls, but its {side} side is {what}, "
                    "which no call of this body made",
                    location=location,
                )
            ids.append(node_id)
        if ids[0] == ids[1]:
            raise self.error(
                f"`a >> b` orders a node after itself ({ids[0]}); order two different calls",
                location=location,
            )
        self._by_id[ids[1]].wait_for(ids[0])
        return after

    def override(self, value: Any, options: dict[str, Any]) -> None:
        """``with_overrides(...)`` on what a call returned: rename or change its node."""
        location = location_of(user_frame())
        node_id = node_of(value)
        node = self._by_id.get(node_id) if node_id is not None else None
        if node is None:
            what = value.origin if isinstance(value, Promise) else repr(value)
            raise self.error(
                f"with_overrides() changes the node of a call, but {what} was not made by a "
                "call of this body",
                location=location,
            )
        try:
            name, overrides = parse_overrides(options)
        except OverrideError as exc:
            raise self.error(str(exc), node=node, location=location) from None
        if overrides is not None and node.kind not in ("task", "map"):
            raise self.error(
                f"is a {node.kind} node; with_overrides() can change its name only. Resources, "
                "retries, timeouts and caching apply to task and map calls",
                node=node,
                location=location,
            )
        if overrides is not None and overrides.cache and overrides.cache_version is None:
            task = node.python_task
            if not task.spec.cache.version:
                overrides = merge(
                    overrides, NodeOverrides(cache_version=source_version(task.function))
                )
        if name is not None:
            node.name = name
        node.overrides = merge(node.overrides, overrides)

    def compare(self, op: str, left: Promise, right: object) -> ConditionExpr:
        """``left op right`` in a body: a condition for a conditional."""
        location = location_of(user_frame())

        def fail(message: str) -> CompileError:
            return self.error(f"condition {message}", location=location)

        return compare(op, left, right, fail, self.blobs, self.prefix)

