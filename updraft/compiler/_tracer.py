"""Traces a workflow body: each task call becomes a `NodeSpec` with checked bindings."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from types import FrameType
from typing import Any

from updraft.compiler._errors import CompileError
from updraft.compiler._promise import Promise
from updraft.model import (
    Binding,
    ListBinding,
    LiteralType,
    MapBinding,
    NodeSpec,
    OutputRef,
    SourceLocation,
    TaskSpec,
    ValueBinding,
    binding_refs,
)
from updraft.types import TypeConversionError, describe, is_assignable, to_literal


class _NoBlobs:
    """Blob I/O for constants in a workflow body: there is none at compile time."""

    def _refuse(self, *_: object) -> str:
        raise TypeConversionError(
            "values stored as blobs (files, frames, pickles) cannot be written as constants "
            "in a workflow body; make it an input of the workflow with a default instead"
        )

    put_bytes = put_file = put_directory = get_file = get_directory = get_bytes = _refuse

    def local_dir(self) -> str:
        return self._refuse()


NO_BLOBS: Any = _NoBlobs()


@dataclasses.dataclass
class _Node:
    id: str
    task: TaskSpec
    name: str
    inputs: dict[str, Binding]
    upstream: list[str]
    location: SourceLocation | None


class WorkflowTracer:
    """Collects nodes while a workflow body runs with promises in place of values."""

    def __init__(self, workflow_name: str) -> None:
        self.workflow_name = workflow_name
        self.nodes: list[_Node] = []
        self.tasks: dict[str, TaskSpec] = {}

    def error(
        self,
        message: str,
        *,
        node: _Node | None = None,
        input: str | None = None,
        location: SourceLocation | None = None,
    ) -> CompileError:
        where = f"workflow {self.workflow_name!r}"
        if node is not None:
            where += f", node {node.name!r} ({node.id})"
        if input is not None:
            where += f": input {input!r}"
        return CompileError(
            f"{where} {message}",
            workflow=self.workflow_name,
            node=node.id if node else None,
            input=input,
            location=location or (node.location if node else None),
        )

    def add_order(self, before: str, after: str) -> None:
        for node in self.nodes:
            if node.id == after and before not in node.upstream:
                node.upstream.append(before)

    def call_task(
        self, task: Any, args: tuple[Any, ...], kwargs: dict[str, Any], frame: FrameType | None
    ) -> Any:
        spec: TaskSpec = task.spec
        location = (
            SourceLocation(file=frame.f_code.co_filename, line=frame.f_lineno) if frame else None
        )
        node = _Node(
            id=f"n{len(self.nodes)}",
            task=spec,
            name=task.function.__name__,
            inputs={},
            upstream=[],
            location=location,
        )
        if args:
            keywords = ", ".join(f"{n}=..." for n in spec.interface.inputs)
            raise self.error(
                f"passes {len(args)} positional argument(s); inside a workflow, call tasks "
                f"with keywords: {node.name}({keywords})",
                node=node,
            )
        known = task.python_interface.inputs
        for name in kwargs:
            if name not in known:
                raise self.error(
                    f"has no input {name!r}; its inputs are {sorted(known)}",
                    node=node,
                )
        for name, info in known.items():
            if name not in kwargs:
                if info.has_default:
                    continue
                raise self.error(
                    f"is missing (type {info.literal_type.describe()}). Pass {name}=... in the "
                    f"call to {node.name}",
                    node=node,
                    input=name,
                )
            node.inputs[name] = self._bind(node, name, kwargs[name], info)
        for binding in node.inputs.values():
            for ref in binding_refs(binding):
                if ref.node not in node.upstream:
                    node.upstream.append(ref.node)
        previous = self.tasks.get(spec.name)
        if previous is not None and previous != spec:
            raise self.error(
                f"calls a task named {spec.name!r} that differs from another task of the "
                "same name in this workflow; give one of them another name",
                node=node,
            )
        self.tasks[spec.name] = spec
        self.nodes.append(node)
        promises = {
            out: Promise(
                OutputRef(node=node.id, output=out),
                lt,
                task.python_interface.outputs[out],
                f"output {out!r} of node {node.name!r} ({node.id})",
                node.id,
                self,
            )
            for out, lt in task.python_interface.output_types.items()
        }
        if not promises:
            return _NodeHandle(node.id, self)
        return task.python_interface.outputs_from_dict(promises)

    def _bind(self, node: _Node, name: str, value: Any, info: Any) -> Binding:
        def fail(message: str) -> CompileError:
            return self.error(message, node=node, input=name)

        return bind_value(value, info.annotation, info.literal_type, fail)

    def node_specs(self) -> tuple[NodeSpec, ...]:
        return tuple(
            NodeSpec(
                id=n.id,
                task=n.task.name,
                name=n.name,
                inputs=n.inputs,
                upstream=tuple(n.upstream),
                location=n.location,
            )
            for n in self.nodes
        )


class _NodeHandle:
    """What a task without outputs returns in a body; only good for ordering with ``>>``."""

    __slots__ = ("node_id", "tracer")

    def __init__(self, node_id: str, tracer: WorkflowTracer) -> None:
        self.node_id = node_id
        self.tracer = tracer

    def __rshift__(self, other: Any) -> Any:
        target = getattr(other, "node_id", None)
        if target:
            self.tracer.add_order(self.node_id, target)
        return other


def _contains_promise(value: Any) -> bool:
    if isinstance(value, Promise):
        return True
    if isinstance(value, list | tuple):
        return any(_contains_promise(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_promise(v) for v in value.values())
    return False


Fail = Callable[[str], CompileError]


def bind_value(value: Any, annotation: Any, expected: LiteralType, fail: Fail) -> Binding:
    """The binding for ``value`` where ``annotation`` is expected: a promise's reference, a
    collection of references, or a constant converted now.

    Raises:
        CompileError: made by ``fail`` from a message saying what was expected and what came.
    """
    if isinstance(value, _NodeHandle):
        raise fail("receives the result of a task that returns nothing")
    if isinstance(value, Promise):
        if not is_assignable(value.type, expected):
            raise fail(
                f"expects {describe(annotation)}, got {value.type.describe()} "
                f"({value.origin}). Pass a value of type {describe(annotation)}, or change the "
                "annotation."
            )
        return value.binding
    if _contains_promise(value):
        return _bind_container(value, expected, fail)
    try:
        return ValueBinding(to_literal(value, annotation, NO_BLOBS, ""))
    except TypeConversionError as exc:
        raise fail(
            f"expects {describe(annotation)}, got {type(value).__name__} {value!r}: {exc}"
        ) from None


def _bind_container(value: Any, expected: LiteralType, fail: Fail) -> Binding:
    if isinstance(value, list | tuple) and expected.kind == "list":
        return ListBinding(tuple(_bind_item(v, expected.args[0], fail) for v in value))
    if isinstance(value, dict) and expected.kind == "dict":
        return MapBinding({k: _bind_item(v, expected.args[0], fail) for k, v in value.items()})
    raise fail(f"expects {expected.describe()}, got a {type(value).__name__} of promises")


def _bind_item(value: Any, expected: LiteralType, fail: Fail) -> Binding:
    if isinstance(value, Promise):
        if not is_assignable(value.type, expected):
            raise fail(
                f"expects items of type {expected.describe()}, got "
                f"{value.type.describe()} ({value.origin})"
            )
        return value.binding
    if _contains_promise(value):
        return _bind_container(value, expected, fail)
    raise fail(
        "mixes promises and constants in one collection; pass only task outputs "
        "or only constants"
    )
