"""Binding a map task's call: which inputs are mapped, which are fixed, and the list outputs.

``map_task(f)(x=[...], y=ys)`` maps every keyword of the call (each a ``list[T]`` where
``f`` takes ``T``); ``functools.partial(f, k=v)`` fixes ``k`` for every element. The node's
outputs are lists of ``f``'s outputs, of ``Optional`` items when ``min_success_ratio`` lets
elements fail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from updraft.compiler._nodes import NodeOutputs, TracedNode
from updraft.compiler._promise import Promise
from updraft.model import LiteralType, MapSpec, optional_of
from updraft.types import InputInfo, describe, is_assignable

if TYPE_CHECKING:
    from updraft.compiler._tracer import WorkflowTracer


def list_of(annotation: Any, item: LiteralType, optional: bool = False) -> tuple[Any, LiteralType]:
    """``list[T]`` (or ``list[Optional[T]]``): its annotation and its literal type."""
    if optional:
        item = optional_of(item)
        annotation = Optional[annotation]  # noqa: UP045 (built at run time)
    return list[annotation], LiteralType("list", (item,))


def bind_map(
    tracer: WorkflowTracer, node: TracedNode, mapped: Any, kwargs: dict[str, Any]
) -> NodeOutputs:
    """Bind the inputs of a map call onto ``node`` and set its `MapSpec`.

    Raises:
        CompileError: an option out of range, a dynamic task, a partial binding an unknown
            input, a mapped input that is not a list of the task's input type, or an input
            that is neither mapped, fixed nor defaulted.
    """
    task = mapped.task
    problem = mapped.problem()
    if problem:
        raise tracer.error(problem, node=node)
    if task.spec.kind != "python":
        raise tracer.error(
            f"maps the {task.spec.kind} task {task.name!r}; map_task takes a @task. Call the "
            "dynamic task once with the whole list instead",
            node=node,
        )
    inputs: dict[str, InputInfo] = task.python_interface.inputs
    for name in mapped.bound:
        if name not in inputs:
            raise tracer.error(
                f"binds {name!r} with functools.partial, but {task.name!r} has no such input; "
                f"its inputs are {sorted(inputs)}",
                node=node,
            )
    for name in kwargs:
        if name in mapped.bound:
            raise tracer.error(
                "is both bound by functools.partial and passed to the map; pass it in one "
                "place only",
                node=node,
                input=name,
            )
        if name not in inputs:
            raise tracer.error(
                f"has no input {name!r} to map over; its inputs are {sorted(inputs)}",
                node=node,
            )
    if not kwargs:
        raise tracer.error(
            "maps over nothing; pass at least one list, e.g. "
            f"map_task({node.name})({next(iter(inputs), 'x')}=[...])",
            node=node,
        )
    for name, info in inputs.items():
        if name in kwargs:
            node.inputs[name] = _bind_mapped(tracer, node, name, kwargs[name], info)
        elif name in mapped.bound:
            node.inputs[name] = tracer.bind(node, name, mapped.bound[name], info)
        elif not info.has_default:
            raise tracer.error(
                f"({info.literal_type.describe()}) is neither mapped nor fixed and has no "
                f"default. Map it with {name}=[...] in the call, or fix it for every element "
                f"with map_task(functools.partial({node.name}, {name}=...))",
                node=node,
                input=name,
            )
    options: dict[str, Any] = {}
    if mapped.concurrency is not None:
        options["concurrency"] = mapped.concurrency
    if mapped.min_success_ratio != 1.0:
        options["min_success_ratio"] = float(mapped.min_success_ratio)
    node.map = MapSpec(mapped=tuple(n for n in inputs if n in kwargs), **options)
    optional = mapped.min_success_ratio < 1.0
    iface = task.python_interface
    annotations: dict[str, Any] = {}
    types: dict[str, LiteralType] = {}
    for out, annotation in iface.outputs.items():
        annotations[out], types[out] = list_of(annotation, iface.output_types[out], optional)
    return NodeOutputs(annotations, types, iface.outputs_from_dict)


def _bind_mapped(
    tracer: WorkflowTracer, node: TracedNode, name: str, value: Any, info: InputInfo
) -> Any:
    annotation, expected = list_of(info.annotation, info.literal_type)
    item = describe(info.annotation)
    hint = (
        f"Pass a list of {item}, or fix the value for every element with "
        f"map_task(functools.partial({node.name}, {name}=...))"
    )
    if isinstance(value, Promise):
        if value.type.kind != "list":
            raise tracer.error(
                f"is mapped over, so it takes list[{item}]; got {value.type.describe()} "
                f"({value.origin}). {hint}",
                node=node,
                input=name,
            )
        if not is_assignable(value.type.args[0], info.literal_type):
            raise tracer.error(
                f"is mapped over, so it takes list[{item}]; got {value.type.describe()} "
                f"({value.origin}), whose items are not {item}",
                node=node,
                input=name,
            )
        return value.binding
    if not isinstance(value, list | tuple):
        raise tracer.error(
            f"is mapped over, so it takes list[{item}]; got {type(value).__name__} "
            f"{value!r}. {hint}",
            node=node,
            input=name,
        )
    return tracer.bind(node, name, value, InputInfo(annotation, None, False, expected))
