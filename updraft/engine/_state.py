"""The in-memory view of one execution that the reconciler works on.

Everything here is derived from the store when a run starts (or resumes), so nothing lives
only in memory: losing this object loses at most the tick that was not yet committed.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib

from updraft.model import (
    Binding,
    Collection,
    Execution,
    InputRef,
    ListBinding,
    Literal,
    Map,
    MapBinding,
    NodeExecution,
    NodeSpec,
    OutputRef,
    TaskSpec,
    ValueBinding,
    WorkflowSpec,
    content_hash,
    literals_hash,
)


@dataclasses.dataclass
class RunState:
    """An execution, its spec and its nodes, with the indexes the reconciler needs."""

    spec: WorkflowSpec
    execution: Execution
    nodes: dict[str, NodeExecution]
    node_specs: dict[str, NodeSpec] = dataclasses.field(default_factory=dict)
    downstream: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    waiting_on: dict[str, int] = dataclasses.field(default_factory=dict)
    ready: collections.deque[str] = dataclasses.field(default_factory=collections.deque)
    running: dict[str, str] = dataclasses.field(default_factory=dict)
    remaining: int = 0
    cache_prefix: dict[str, str] = dataclasses.field(default_factory=dict)
    #: Nodes whose recorded state was reset when the run was loaded; written on the first tick.
    reset: list[str] = dataclasses.field(default_factory=list)
    #: (attempts, system failures) a resumed node had already used; a resumed node gets a
    #: fresh retry budget while its attempt numbers, ids and logs keep counting up.
    used_before: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)

    def user_failures(self, node: NodeExecution) -> int:
        """Attempts that failed for the task's own reasons since this run (re)started."""
        attempts, system = self.used_before.get(node.node_id, (0, 0))
        return (node.attempts - attempts) - (node.system_failures - system)

    def system_failures(self, node: NodeExecution) -> int:
        """System failures (a worker that died) since this run (re)started."""
        return node.system_failures - self.used_before.get(node.node_id, (0, 0))[1]

    @classmethod
    def build(
        cls, spec: WorkflowSpec, execution: Execution, nodes: list[NodeExecution]
    ) -> RunState:
        state = cls(spec=spec, execution=execution, nodes={n.node_id: n for n in nodes})
        for node in spec.nodes:
            state.node_specs[node.id] = node
            state.downstream.setdefault(node.id, [])
            for up in node.upstream:
                state.downstream.setdefault(up, []).append(node.id)
        for node in spec.nodes:
            if not state.nodes[node.id].phase.done_ok:
                state.remaining += 1
            state.waiting_on[node.id] = sum(
                1 for up in node.upstream if not state.nodes[up].phase.done_ok
            )
        return state

    def task_of(self, node_id: str) -> TaskSpec:
        return self.spec.tasks[self.node_specs[node_id].task]

    def resolve(self, binding: Binding) -> Literal:
        """The literal a binding stands for, now that its upstream nodes have finished."""
        if isinstance(binding, OutputRef):
            outputs = self.nodes[binding.node].outputs or {}
            return outputs[binding.output]
        if isinstance(binding, InputRef):
            return self.execution.inputs[binding.name]
        if isinstance(binding, ValueBinding):
            return binding.value
        if isinstance(binding, ListBinding):
            return Collection(tuple(self.resolve(b) for b in binding.items))
        assert isinstance(binding, MapBinding)
        return Map({k: self.resolve(b) for k, b in binding.items.items()})

    def node_inputs(self, node_id: str) -> dict[str, Literal]:
        return {k: self.resolve(b) for k, b in self.node_specs[node_id].inputs.items()}

    def cache_key(self, task: TaskSpec, inputs: dict[str, Literal]) -> str:
        """DESIGN's key: task name, cache version, interface and the inputs' content hashes."""
        prefix = self.cache_prefix.get(task.name)
        if prefix is None:
            prefix = f"{task.name}\0{task.cache.version}\0{content_hash(task.interface)}"
            self.cache_prefix[task.name] = prefix
        return hashlib.sha256(f"{prefix}\0{literals_hash(inputs)}".encode()).hexdigest()
