"""The graph view: the workflow's nodes and edges merged with what each node did, and the
elements of map nodes page by page.

Built from one read of the node records and the (cached) specs, never from events, so a
1,000-node execution costs one query and a pass over its nodes. Nested workflows are known
from the spec before they run, so a subworkflow's or conditional's children show (queued)
from the start; a dynamic node's once it built them. A map node stays one node, collapsed,
however many elements it has: its elements are a separate, paginated read.
"""

from __future__ import annotations

from typing import TypeVar

import msgspec

from updraft.model import MapBatch, NodeExecution, NodeSpec, Outcome
from updraft.server._errors import BadRequestError
from updraft.server._schemas import (
    ElementSummary,
    ExecutionGraph,
    GraphEdge,
    GraphNode,
    MapElement,
    MapElements,
)
from updraft.server._views._records import (
    MAP_KIND,
    Records,
    Scope,
    SpecCache,
    epoch,
    spec_kind,
)
from updraft.store import MetadataStore

_T = TypeVar("_T")

#: A map element's outcome as a phase.
_OUTCOME_PHASE = {
    Outcome.SUCCEEDED: "SUCCEEDED",
    Outcome.TIMED_OUT: "TIMED_OUT",
    Outcome.CANCELLED: "ABORTED",
}


class _GraphBuilder:
    def __init__(self, specs: SpecCache, records: Records) -> None:
        self.specs = specs
        self.records = records
        self.nodes: list[GraphNode] = []
        self.edges: list[GraphEdge] = []
        self.seen: set[str] = set()

    def scope(self, scope: Scope, parent: str | None) -> int:
        """Add a workflow's nodes, each followed by its children; return how many."""
        for node in scope.spec.nodes:
            node_id = scope.record_id(node.id)
            self.node(scope, node, node_id, parent)
            for upstream in node.upstream:
                self.edges.append(GraphEdge(source=scope.record_id(upstream), target=node_id))
        return len(scope.spec.nodes)

    def node(self, scope: Scope | None, spec: NodeSpec | None, node_id: str,
             parent: str | None) -> None:
        if node_id in self.seen:
            return
        self.seen.add(node_id)
        record = self.records.by_id.get(node_id)
        kind = _kind(scope, spec, record)
        if kind == MAP_KIND:
            total = record.elements.total if record is not None and record.elements else 0
            self.nodes.append(_entry(node_id, record, spec, kind, parent, total, True))
            return
        position = len(self.nodes)  # its children follow it; their count is known after
        self.nodes.append(_entry(node_id, record, spec, kind, parent, 0, False))
        count = 0
        if scope is not None and spec is not None:
            nested = self.specs.children_scope(scope, spec, record, node_id)
            if nested is not None:
                count += self.scope(nested, node_id)
            for arm_id, arm in scope.arms(spec, node_id):
                self.node(scope, arm, arm_id, node_id)
                count += 1
        for child in self.records.children.get(node_id, ()):
            if child.node_id not in self.seen:
                self.node(None, None, child.node_id, node_id)
                count += 1
        if count:
            self.nodes[position] = _entry(node_id, record, spec, kind, parent, count, False)


def _kind(scope: Scope | None, spec: NodeSpec | None, record: NodeExecution | None) -> str:
    if record is not None and record.kind != "task":
        return record.kind
    if scope is not None and spec is not None:
        return spec_kind(scope, spec)
    return "task"


def _entry(
    node_id: str, record: NodeExecution | None, spec: NodeSpec | None, kind: str,
    parent: str | None, child_count: int, collapsed: bool,
) -> GraphNode:
    if record is None:
        return GraphNode(
            id=node_id, name=spec.name if spec else node_id, kind=kind, phase="QUEUED",
            parent=parent, task=spec.task if spec else "", cache="disabled", attempts=0,
            started_at=None, ended_at=None, duration_s=None, child_count=child_count,
            collapsed=collapsed,
        )
    return GraphNode(
        id=node_id,
        name=record.name,
        kind=kind,
        phase=record.phase.value,
        parent=parent,
        task=spec.task if spec else "",
        cache=record.cache.value,
        attempts=record.attempts,
        started_at=epoch(record.started_at),
        ended_at=epoch(record.ended_at),
        duration_s=record.duration_s,
        child_count=child_count,
        collapsed=collapsed,
        child_execution=record.child_execution,
        elements=(
            ElementSummary(**msgspec.structs.asdict(record.elements))
            if record.elements is not None else None
        ),
    )


def build_graph(specs: SpecCache, records: Records) -> ExecutionGraph:
    """The execution's graph: its workflow's nodes in order, each followed by its children;
    recorded nodes no spec describes (an ``on_failure`` handler) after them."""
    builder = _GraphBuilder(specs, records)
    top = specs.find(records.execution.spec_hash)
    if top is not None:
        builder.scope(Scope(top, top), None)
    for record in records.nodes:
        if record.node_id in builder.seen:
            continue
        if record.parent and record.parent in builder.seen:
            continue  # an element of a collapsed map
        builder.node(None, None, record.node_id, record.parent)
    return ExecutionGraph(
        execution_id=records.execution.id,
        phase=records.execution.phase.value,
        nodes=builder.nodes,
        edges=builder.edges,
    )


def map_elements(
    store: MetadataStore, records: Records, node_id: str, offset: int, limit: int
) -> MapElements:
    """A page of a map node's elements in index order, from its packed batches; an element
    retried in a later batch shows its latest state."""
    record = records.require(node_id)
    if record.kind != MAP_KIND:
        raise BadRequestError(
            f"node {node_id} ({record.name}) of execution {records.execution.id} is a "
            f"{record.kind} node, not a map: only map nodes have elements"
        )
    latest: dict[int, MapElement] = {}
    for batch in store.get_map_batches(records.execution.id, node_id):
        for element in _batch_elements(batch):
            latest[element.index] = element
    indices = sorted(latest)
    return MapElements(
        execution_id=records.execution.id, node_id=node_id, total=len(indices),
        offset=offset, limit=limit,
        elements=[latest[i] for i in indices[offset : offset + limit]],
    )


def _batch_elements(batch: MapBatch) -> list[MapElement]:
    started, ended = epoch(batch.started_at), epoch(batch.ended_at)
    duration = ended - started if started is not None and ended is not None else None
    found = []
    for position, index in enumerate(batch.indices):
        outcome = _at(batch.outcomes, position)
        error = _at(batch.errors, position)
        if outcome is None:
            phase = "QUEUED" if started is None else "RUNNING"
        else:
            phase = _OUTCOME_PHASE.get(outcome, "FAILED")
        found.append(MapElement(
            index=index,
            phase=phase,
            attempts=_at(batch.attempts, position) or 0,
            cache=batch.cache.value,
            duration_s=duration if outcome is not None else None,
            error=error.message if error is not None else None,
        ))
    return found


def _at(values: list[_T], position: int) -> _T | None:
    return values[position] if position < len(values) else None
