"""Pure checks on compiled workflows: references resolve and the graph has no cycle."""

from __future__ import annotations

from updraft.model._specs import WorkflowSpec, binding_refs


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


def validate_workflow(spec: WorkflowSpec) -> None:
    """Check that every binding names an existing node output or workflow input.

    Raises:
        SpecError: naming the workflow, node and input at fault.
    """
    nodes = {n.id: n for n in spec.nodes}
    for n in spec.nodes:
        if n.task not in spec.tasks:
            raise SpecError(f"workflow {spec.name!r}, node {n.id!r}: unknown task {n.task!r}")
        for name, binding in n.inputs.items():
            for ref in binding_refs(binding):
                src = nodes.get(ref.node)
                if src is None or ref.output not in spec.tasks[src.task].interface.outputs:
                    raise SpecError(
                        f"workflow {spec.name!r}, node {n.id!r}, input {name!r}: "
                        f"no output {ref.output!r} on node {ref.node!r}"
                    )
                if ref.node not in n.upstream:
                    raise SpecError(
                        f"workflow {spec.name!r}, node {n.id!r} reads node {ref.node!r} "
                        "without waiting for it"
                    )
    topological_order(spec)
