"""The in-memory view of one execution that the reconciler works on.

Everything here is derived from the store when a run starts (or resumes), so nothing lives
only in memory: losing this object loses at most the tick that was not yet committed.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib

import msgspec

from updraft.engine._map import MapRun
from updraft.model import (
    Binding,
    Collection,
    ErrorInfo,
    Execution,
    InputRef,
    ListBinding,
    Literal,
    Map,
    MapBinding,
    NodeExecution,
    NodeSpec,
    OutputRef,
    ResourceSpec,
    TaskSpec,
    ValueBinding,
    WorkflowSpec,
    content_hash,
    literals_hash,
)


def with_overrides(task: TaskSpec, node: NodeSpec) -> TaskSpec:
    """The task as ``node`` runs it: ``with_overrides`` values replace the task's own."""
    o = node.overrides
    if o is None:
        return task
    changes: dict[str, object] = {}
    if o.requests is not None:
        changes["requests"] = _merge(task.requests, o.requests)
    if o.limits is not None:
        changes["limits"] = _merge(task.limits, o.limits)
    if o.retries is not None:
        changes["retries"] = o.retries
    if o.timeout_s is not None:
        changes["timeout_s"] = o.timeout_s
    if o.cache is not None or o.cache_version is not None:
        enabled = task.cache.enabled if o.cache is None else o.cache
        version = task.cache.version if o.cache_version is None else o.cache_version
        changes["cache"] = msgspec.structs.replace(task.cache, enabled=enabled, version=version)
    return msgspec.structs.replace(task, **changes)


def _merge(base: ResourceSpec, over: ResourceSpec) -> ResourceSpec:
    return ResourceSpec(
        cpu=base.cpu if over.cpu is None else over.cpu,
        mem=base.mem if over.mem is None else over.mem,
        gpu=base.gpu if over.gpu is None else over.gpu,
    )


@dataclasses.dataclass
class RunState:
    """An execution, its spec and its nodes, with the indexes the reconciler needs.

    ``nodes`` holds every recorded node, children included; the graph indexes
    (``node_specs``, ``downstream``, ``waiting_on``) hold the nodes that take part in the
    run so far: the top-level ones, and the children of nodes that have started. A child's
    task and subworkflow names refer to ``scope[child]`` (a dynamic node's generated spec),
    or to the execution's spec when it has no entry there.
    """

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
    scope: dict[str, WorkflowSpec] = dataclasses.field(default_factory=dict)
    tasks: dict[str, TaskSpec] = dataclasses.field(default_factory=dict)
    #: Parent node -> how its outputs come from its children once they are done.
    parent_outputs: dict[str, dict[str, Binding]] = dataclasses.field(default_factory=dict)
    #: Parent node -> children not yet ended.
    open_children: dict[str, int] = dataclasses.field(default_factory=dict)
    parent_of: dict[str, str] = dataclasses.field(default_factory=dict)
    #: Parents one of whose children failed: they fail once the others end.
    doomed: dict[str, ErrorInfo] = dataclasses.field(default_factory=dict)
    maps: dict[str, MapRun] = dataclasses.field(default_factory=dict)
    #: Launch plan nodes waiting for the execution they started: child id -> node id.
    child_executions: dict[str, str] = dataclasses.field(default_factory=dict)
    #: The error the execution ends with, once a node failed and the rest may go on.
    final_error: ErrorInfo | None = None
    #: Whether the workflow's on_failure node was started.
    handler_started: bool = False
    #: When (monotonic) the phases of child executions driven elsewhere were last read.
    children_polled: float = 0.0

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
            state.track(node, None, None)
            if not state.nodes[node.id].phase.done_ok:
                state.remaining += 1
        return state

    def spec_of(self, node_id: str) -> WorkflowSpec:
        """The spec whose task and subworkflow names the node uses."""
        return self.scope.get(node_id, self.spec)

    def task_of(self, node_id: str) -> TaskSpec:
        """The node's task with its overrides applied (computed once per node)."""
        task = self.tasks.get(node_id)
        if task is None:
            node = self.node_specs[node_id]
            task = self.tasks[node_id] = with_overrides(
                self.spec_of(node_id).tasks[node.task], node
            )
        return task

    def track(self, node: NodeSpec, parent: str | None, scope: WorkflowSpec | None) -> None:
        """Make ``node`` part of the run: index it and count what it waits for."""
        self.node_specs[node.id] = node
        if scope is not None and scope is not self.spec:
            self.scope[node.id] = scope
        self.downstream.setdefault(node.id, [])
        waiting = 0
        for up in node.upstream:
            self.downstream.setdefault(up, []).append(node.id)
            record = self.nodes.get(up)
            if record is None or not record.phase.done_ok:
                waiting += 1
        self.waiting_on[node.id] = waiting
        if parent is not None:
            self.parent_of[node.id] = parent

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
