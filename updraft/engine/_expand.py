"""Turns the nodes of a sub-workflow into children of the node that runs it.

A subworkflow, a dynamic task's generated workflow and the chosen arm of a conditional all
run as children of one node in the same execution. Their nodes are copied into the
execution's graph with ids under the parent's (``n3`` has children ``n3-0``, ``n3-1``, ...;
DESIGN's node ids) and their bindings rewritten: a reference to a sibling points at the
sibling's new id, and a reference to the sub-workflow's input becomes the value the parent
received. Nothing here runs or stores anything.
"""

from __future__ import annotations

import dataclasses

import msgspec

from updraft.model import (
    Binding,
    BoolOp,
    BranchCase,
    Comparison,
    Condition,
    InputRef,
    ListBinding,
    Literal,
    MapBinding,
    NodeExecution,
    NodeSpec,
    OutputRef,
    ValueBinding,
    WorkflowSpec,
)


def child_id(parent: str, local_id: str) -> str:
    """The id a sub-workflow's node ``n5`` gets under ``parent``: ``{parent}-5``."""
    return f"{parent}-{local_id[1:]}" if local_id.startswith("n") else f"{parent}-{local_id}"


def arm_id(branch_id: str, index: int) -> str:
    """The id a conditional's arm ``index`` runs under once the conditional is placed as
    ``branch_id``: ``{branch}-{index}``."""
    return f"{branch_id}-{index}"


def rebind(binding: Binding, ids: dict[str, str], inputs: dict[str, Literal]) -> Binding:
    """``binding`` with sibling references renamed by ``ids`` and workflow inputs replaced
    by the values in ``inputs``."""
    if isinstance(binding, OutputRef):
        return OutputRef(ids.get(binding.node, binding.node), binding.output)
    if isinstance(binding, InputRef):
        if binding.name in inputs:
            return ValueBinding(inputs[binding.name])
        return binding
    if isinstance(binding, ListBinding):
        return ListBinding(tuple(rebind(b, ids, inputs) for b in binding.items))
    if isinstance(binding, MapBinding):
        return MapBinding({k: rebind(b, ids, inputs) for k, b in binding.items.items()})
    return binding


def _rebind_condition(
    condition: Condition, ids: dict[str, str], inputs: dict[str, Literal]
) -> Condition:
    if isinstance(condition, Comparison):
        return Comparison(
            condition.op, rebind(condition.left, ids, inputs), rebind(condition.right, ids, inputs)
        )
    return BoolOp(
        condition.op,
        _rebind_condition(condition.left, ids, inputs),
        _rebind_condition(condition.right, ids, inputs),
    )


def embed(
    node: NodeSpec, new_id: str, ids: dict[str, str], inputs: dict[str, Literal]
) -> NodeSpec:
    """A copy of ``node`` under ``new_id`` whose bindings, ordering and arms point at the
    renamed siblings; an arm's node becomes ``{new_id}-{arm index}``."""
    cases = tuple(
        BranchCase(
            condition=(
                None if case.condition is None
                else _rebind_condition(case.condition, ids, inputs)
            ),
            node=(
                None if case.node is None
                else embed(case.node, arm_id(new_id, index), ids, inputs)
            ),
            fail=case.fail,
        )
        for index, case in enumerate(node.cases)
    )
    return msgspec.structs.replace(
        node,
        id=new_id,
        inputs={k: rebind(b, ids, inputs) for k, b in node.inputs.items()},
        upstream=tuple(ids.get(u, u) for u in node.upstream),
        cases=cases,
    )


@dataclasses.dataclass(frozen=True)
class Expansion:
    """A sub-workflow placed under a parent node: its nodes (renamed) and the bindings of
    the parent's outputs to them."""

    nodes: list[NodeSpec]
    outputs: dict[str, Binding]


def expand(parent: str, spec: WorkflowSpec, inputs: dict[str, Literal]) -> Expansion:
    """Place ``spec``'s nodes under ``parent``, reading its inputs from ``inputs``."""
    ids = {n.id: child_id(parent, n.id) for n in spec.nodes}
    nodes = [embed(n, ids[n.id], ids, inputs) for n in spec.nodes]
    outputs = {k: rebind(b, ids, inputs) for k, b in spec.outputs.items()}
    return Expansion(nodes, outputs)


def under_finished(nodes: list[NodeExecution]) -> set[str]:
    """Ids of the nodes below a node that finished (SUCCEEDED or RECOVERED): such a parent
    does not expand again, so what its children recorded stays as it is.

    ``nodes`` are in the order they were recorded, each parent before its children.
    """
    finished = {n.node_id for n in nodes if n.phase.done_ok}
    below: set[str] = set()
    for node in nodes:
        if node.parent in finished or node.parent in below:
            below.add(node.node_id)
    return below


def node_kind(spec: WorkflowSpec, node: NodeSpec) -> str:
    """What the console and CLI call the node: its spec kind, or ``dynamic`` for a task
    node whose task builds a sub-workflow."""
    if node.kind == "task":
        task = spec.tasks.get(node.task)
        if task is not None and task.kind == "dynamic":
            return "dynamic"
    return node.kind


def initial_nodes(spec: WorkflowSpec) -> list[NodeExecution]:
    """The records of a new execution's nodes: one QUEUED record per top-level node.

    Children are recorded when their parent runs (they depend on values not known yet).
    """
    return [
        NodeExecution(node_id=n.id, name=n.name, kind=node_kind(spec, n)) for n in spec.nodes
    ]
