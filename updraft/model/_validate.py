"""Pure checks on compiled workflows: references resolve and the graph has no cycle."""

from __future__ import annotations

from updraft.model._specs import (
    NodeSpec,
    WorkflowSpec,
    binding_refs,
    condition_refs,
    node_outputs,
)


class SpecError(ValueError):
    """A workflow spec is inconsistent; the message names the workflow and the node."""


def topological_order(spec: WorkflowSpec) -> list[str]:
    """Node ids so that every node comes after its upstream nodes.

    Raises:
        SpecError: when a node waits for an unknown node or the nodes form a cycle.
    """
    ids = {n.id for n in spec.nodes}
    pending = {n.id: set(n.upstream) for n in spec.nodes}
    for n in spec.nodes:
        unknown = pending[n.id] - ids
        if unknown:
            raise SpecError(
                f"workflow {spec.name!r}, node {n.id!r} waits for unknown node(s) "
                f"{sorted(unknown)}"
            )
    order: list[str] = []
    ready = [n.id for n in spec.nodes if not pending[n.id]]
    downstream: dict[str, list[str]] = {i: [] for i in ids}
    for n in spec.nodes:
        for u in n.upstream:
            downstream[u].append(n.id)
    while ready:
        node_id = ready.pop()
        order.append(node_id)
        for d in downstream[node_id]:
            pending[d].discard(node_id)
            if not pending[d]:
                ready.append(d)
    if len(order) != len(ids):
        stuck = sorted(i for i in ids if i not in order)
        raise SpecError(f"workflow {spec.name!r} has a cycle through nodes {stuck}")
    return order


def _refs(node: NodeSpec) -> list[tuple[str, str, str]]:
    """(input, node, output) for every reference of a node, its branches' included."""
    found = [
        (name, ref.node, ref.output)
        for name, binding in node.inputs.items()
        for ref in binding_refs(binding)
    ]
    for case in node.cases:
        if case.condition is not None:
            found += [("condition", r.node, r.output) for r in condition_refs(case.condition)]
        if case.node is not None:
            found += _refs(case.node)
    return found


def _check_target(spec: WorkflowSpec, node: NodeSpec) -> None:
    if node.kind in ("task", "map") and node.task not in spec.tasks:
        raise SpecError(f"workflow {spec.name!r}, node {node.id!r}: unknown task {node.task!r}")
    if node.kind in ("subworkflow", "launchplan") and node.workflow not in spec.subworkflows:
        raise SpecError(
            f"workflow {spec.name!r}, node {node.id!r}: unknown subworkflow {node.workflow!r}"
        )
    for case in node.cases:
        if case.node is not None:
            _check_target(spec, case.node)


def validate_workflow(spec: WorkflowSpec) -> None:
    """Check that every binding names an existing node output or workflow input.

    Raises:
        SpecError: naming the workflow, node and input at fault.
    """
    nodes = {n.id: n for n in spec.nodes}
    for n in spec.nodes:
        _check_target(spec, n)
    for n in spec.nodes:
        for name, source, output in _refs(n):
            src = nodes.get(source)
            if src is None or output not in node_outputs(spec, src):
                raise SpecError(
                    f"workflow {spec.name!r}, node {n.id!r}, input {name!r}: "
                    f"no output {output!r} on node {source!r}"
                )
            if source not in n.upstream:
                raise SpecError(
                    f"workflow {spec.name!r}, node {n.id!r} reads node {source!r} "
                    "without waiting for it"
                )
    topological_order(spec)
