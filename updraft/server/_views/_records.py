"""What the console's views share: node records read in one pass, workflow specs by hash,
and the scopes that nested nodes live in.

Nodes that run other nodes place them in the same execution as their children, with ids
under their own (DESIGN: ``n3`` has children ``n3-0``, ``n3-1``, ...): a subworkflow node
the nodes of its subworkflow, a dynamic node those of the workflow it built (stored under
its ``subworkflow_hash``), a conditional its chosen arm (arms not taken are recorded as
skipped). A `Scope` is one such nested workflow and the id its nodes are placed under. Map
elements are not node records: they are stored packed (`MetadataStore.get_map_batches`).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime

from updraft.engine import arm_id, child_id
from updraft.model import (
    Execution,
    Literal,
    NodeExecution,
    NodeSpec,
    TaskSpec,
    WorkflowSpec,
)
from updraft.store import MetadataStore, NotFoundError

#: Specs kept in memory by hash; specs never change, so each is read once.
_SPEC_CACHE_SIZE = 128

#: The node kind whose children are elements, shown collapsed.
MAP_KIND = "map"


def epoch(value: datetime | float | None) -> float | None:
    """Seconds since the epoch of a recorded time, None when unset (a map batch writes
    0.0 for a time it does not have yet)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value) if value else None


@dataclasses.dataclass(frozen=True)
class Scope:
    """A workflow whose nodes are recorded at the top (``prefix`` None) or as the children
    of the node ``prefix``; ``top`` is the execution's workflow, whose subworkflows nested
    ones may name."""

    spec: WorkflowSpec
    top: WorkflowSpec
    prefix: str | None = None

    def record_id(self, local_id: str) -> str:
        """The record id of one of this workflow's nodes."""
        return local_id if self.prefix is None else child_id(self.prefix, local_id)

    def subworkflow(self, name: str) -> WorkflowSpec | None:
        """A subworkflow the scope's nodes name."""
        return self.spec.subworkflows.get(name) or self.top.subworkflows.get(name)

    def task(self, name: str) -> TaskSpec | None:
        """A task the scope's nodes name: the nested workflow's own, else the top's."""
        return self.spec.tasks.get(name) or self.top.tasks.get(name)

    def arms(self, branch: NodeSpec, branch_id: str) -> Iterator[tuple[str, NodeSpec]]:
        """A conditional's arms that run a node, with the record id each gets: as compiled
        at the top, ``{branch}-{index}`` when the conditional is nested."""
        for index, case in enumerate(branch.cases):
            if case.node is not None:
                yield (case.node.id if self.prefix is None else arm_id(branch_id, index),
                       case.node)


def spec_kind(scope: Scope, node: NodeSpec) -> str:
    """What the console calls a node before it ran: its spec kind, or ``dynamic`` for a
    task node whose task builds a workflow."""
    if node.kind == "task":
        task = scope.task(node.task)
        if task is not None and task.kind == "dynamic":
            return "dynamic"
    return node.kind


class SpecCache:
    """Workflow specs by content hash, read from the store once each (they never change)."""

    def __init__(self, store: MetadataStore) -> None:
        self.store = store
        self._specs: dict[str, WorkflowSpec] = {}
        self._lock = threading.Lock()

    def find(self, spec_hash: str | None) -> WorkflowSpec | None:
        """The spec, or None when no hash is given or the store lacks it."""
        if not spec_hash:
            return None
        found = self._specs.get(spec_hash)
        if found is not None:
            return found
        try:
            spec = self.store.get_workflow_spec(spec_hash)
        except NotFoundError:
            return None
        with self._lock:
            if len(self._specs) >= _SPEC_CACHE_SIZE:
                self._specs.clear()
            self._specs[spec_hash] = spec
        return spec

    def children_scope(
        self, scope: Scope, node: NodeSpec, record: NodeExecution | None, node_id: str
    ) -> Scope | None:
        """The nested workflow whose nodes are ``node``'s children: a subworkflow's, or the
        one a dynamic node built (known once it ran); None for other kinds."""
        nested: WorkflowSpec | None = None
        if node.kind == "subworkflow":
            nested = scope.subworkflow(node.workflow)
        elif record is not None and record.subworkflow_hash:
            nested = self.find(record.subworkflow_hash)
        return None if nested is None else Scope(nested, scope.top, node_id)


@dataclasses.dataclass
class Records:
    """An execution with its node records by id, and each node's recorded children."""

    execution: Execution
    nodes: list[NodeExecution]
    by_id: dict[str, NodeExecution]
    children: dict[str, list[NodeExecution]]

    @classmethod
    def of(cls, execution: Execution, nodes: Sequence[NodeExecution]) -> Records:
        by_id: dict[str, NodeExecution] = {}
        children: dict[str, list[NodeExecution]] = {}
        for node in nodes:
            by_id[node.node_id] = node
            if node.parent:
                children.setdefault(node.parent, []).append(node)
        return cls(execution, list(nodes), by_id, children)

    def require(self, node_id: str) -> NodeExecution:
        """The node's record; NotFoundError naming the execution and some of its nodes."""
        found = self.by_id.get(node_id)
        if found is None:
            ids = ", ".join(n.node_id for n in self.nodes[:20])
            raise NotFoundError(
                f"execution {self.execution.id} has no node {node_id!r}; its nodes are "
                f"{ids or 'none yet'}"
            )
        return found

    def outputs_of(self, node_id: str) -> dict[str, Literal]:
        record = self.by_id.get(node_id)
        return (record.outputs or {}) if record is not None else {}
