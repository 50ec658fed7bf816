"""Executions as they run: phases, per-node state, attempts, events and the executor contract.

These are the documents the engine records, the CLI prints with ``--json`` and the API
serves. Phases follow Flyte's names so that a Flyte user reads them without a glossary.
"""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec

from updraft.model._admin import CodePackage, EntityId
from updraft.model._literals import Literal
from updraft.model._specs import SCHEMA_VERSION, ResourceSpec, WorkflowSpec


class ExecutionPhase(enum.StrEnum):
    """Where an execution is in its life. Terminal phases never change again."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    ABORTED = "ABORTED"
    TIMED_OUT = "TIMED_OUT"

    @property
    def terminal(self) -> bool:
        return self in _TERMINAL_EXECUTION


_TERMINAL_EXECUTION = frozenset(
    {ExecutionPhase.SUCCEEDED, ExecutionPhase.FAILED, ExecutionPhase.ABORTED,
     ExecutionPhase.TIMED_OUT}
)


class NodePhase(enum.StrEnum):
    """Where one node is. RECOVERED means its outputs were taken from an earlier execution."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    ABORTED = "ABORTED"
    TIMED_OUT = "TIMED_OUT"
    SKIPPED = "SKIPPED"
    RECOVERED = "RECOVERED"

    @property
    def terminal(self) -> bool:
        return self not in (NodePhase.QUEUED, NodePhase.RUNNING)

    @property
    def done_ok(self) -> bool:
        """True when downstream nodes may read this node's outputs."""
        return self in (NodePhase.SUCCEEDED, NodePhase.RECOVERED)


class CacheStatus(enum.StrEnum):
    """What the cache did for a node: served it, missed and stored, missed, or was off."""

    HIT = "hit"
    MISS = "miss"
    PUT = "put"
    DISABLED = "disabled"


class Outcome(enum.StrEnum):
    """How an attempt ended, as the executor reports it."""

    SUCCEEDED = "SUCCEEDED"
    USER_ERROR = "USER_ERROR"
    SYSTEM_ERROR = "SYSTEM_ERROR"
    TIMED_OUT = "TIMED_OUT"
    OOM = "OOM"
    CANCELLED = "CANCELLED"


class ErrorInfo(msgspec.Struct, frozen=True, omit_defaults=True):
    """A failure with the user's traceback kept. ``kind`` is an `Outcome` value or a
    short engine word such as ``UPSTREAM`` or ``BINDING``."""

    kind: str
    message: str
    traceback: str = ""
    node: str | None = None


class AttemptRequest(msgspec.Struct, frozen=True, omit_defaults=True):
    """One try of one node, as handed to an executor.

    ``output_prefix`` is unique to the attempt, so two attempts of the same node never write
    over each other's outputs. ``code_paths`` are put on ``sys.path`` before the entry point
    is imported. ``blob_root`` is where the worker reads and writes blobs.

    A map batch sets ``elements``: the task runs once per element, with the element's inputs
    over ``inputs``, and the result reports each element; ``element_indices`` are their
    places in the map (what `current_context()` shows as the node ``n3-<index>``). A
    dynamic task sets ``expander``, the entry point (``module:function``) that calls the
    task to build its sub-workflow; the engine reaches it by that name, never by import.
    """

    id: str
    execution_id: str
    node_id: str
    attempt: int
    task_name: str
    entry_point: str
    inputs: dict[str, Literal]
    output_prefix: str
    blob_root: str
    by_value: str | None = None
    code_version: str = ""
    code_paths: tuple[str, ...] = ()
    requests: ResourceSpec = ResourceSpec()
    limits: ResourceSpec = ResourceSpec()
    environment: dict[str, str] = {}
    timeout_s: float | None = None
    elements: tuple[dict[str, Literal], ...] = ()
    element_indices: tuple[int, ...] = ()
    expander: str = ""


class ElementResult(msgspec.Struct, frozen=True, array_like=True, omit_defaults=True):
    """How one element of a map batch ended (outputs or error), in the batch's order."""

    outcome: Outcome
    outputs: dict[str, Literal] | None = None
    error: ErrorInfo | None = None


class AttemptResult(msgspec.Struct, frozen=True, omit_defaults=True):
    """What came of an attempt. Times are seconds since the epoch, from the worker's clock."""

    attempt_id: str
    outcome: Outcome
    outputs: dict[str, Literal] | None = None
    error: ErrorInfo | None = None
    log_uri: str = ""
    queued_at: float = 0.0
    started_at: float = 0.0
    ended_at: float = 0.0
    worker_id: str = ""
    elements: list[ElementResult] | None = None
    workflow: WorkflowSpec | None = None


class TaskAttempt(msgspec.Struct):
    """One try of a node: how it ended, where it ran and where its log is.

    ``outcome`` is None while the attempt runs. ``worker_id`` names the process that ran it
    (``pid:1234`` on the process executor), so leftovers can be found after a crash.
    """

    attempt: int
    outcome: Outcome | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    worker_id: str = ""
    log_uri: str = ""
    error: ErrorInfo | None = None


class ElementCounts(msgspec.Struct):
    """Where the elements of a map node are, for progress and the console."""

    total: int = 0
    succeeded: int = 0
    failed: int = 0
    cached: int = 0


class MapBatch(msgspec.Struct):
    """Elements of a map node that ran together, stored as one row (DESIGN: "Map elements
    are stored packed").

    The lists are parallel: element ``indices[i]`` was in its ``attempts[i]``-th attempt and
    ended with ``outcomes[i]`` (None while running), ``outputs[i]`` and ``errors[i]``. An
    element retried later appears again in a later batch; the latest batch wins.
    """

    node_id: str
    batch: int
    indices: list[int]
    attempts: list[int]
    outcomes: list[Outcome | None]
    outputs: list[dict[str, Literal] | None]
    errors: list[ErrorInfo | None]
    cache: CacheStatus = CacheStatus.DISABLED
    started_at: float = 0.0
    ended_at: float = 0.0
    worker_id: str = ""
    log_uri: str = ""


class NodeExecution(msgspec.Struct):
    """The state of one node in one execution, as recorded and as shown.

    ``attempts`` counts every try; ``history`` holds them, oldest first. ``kind`` is the
    node's (a `NodeSpec` kind, or ``dynamic``); children of a map, dynamic, subworkflow or
    branch node name it in ``parent``. ``subworkflow_hash`` is the stored spec whose nodes
    are this node's children (a dynamic node's is built when it runs); a launch plan node
    records the execution it started in ``child_execution``. A map node keeps its elements
    in `MapBatch` rows and their counts in ``elements``.
    """

    node_id: str
    name: str
    phase: NodePhase = NodePhase.QUEUED
    attempts: int = 0
    system_failures: int = 0
    cache: CacheStatus = CacheStatus.DISABLED
    started_at: datetime | None = None
    ended_at: datetime | None = None
    error: ErrorInfo | None = None
    outputs: dict[str, Literal] | None = None
    log_uri: str = ""
    duration_s: float | None = None
    history: list[TaskAttempt] = msgspec.field(default_factory=list)
    kind: str = "task"
    parent: str | None = None
    child_execution: str | None = None
    subworkflow_hash: str = ""
    elements: ElementCounts | None = None

    def mark_ended(self, at: datetime) -> None:
        """Set the end time and the duration that the CLI and console show."""
        self.ended_at = at
        if self.started_at is not None:
            self.duration_s = (at - self.started_at).total_seconds()


class Execution(msgspec.Struct):
    """One run of a workflow: inputs, outputs, phase and who launched it.

    On the server an execution also has a ``name`` unique in its project and domain, the
    registered workflow (and launch plan) it runs, the code package its tasks import, its
    parent execution when a workflow started it (with the node, ``parent_node``), the
    execution it repeats when it is a relaunch or a recovery (``source``), and the scheduled
    time when a schedule did.
    ``overwrite_cache`` recomputes cached nodes and replaces their entries;
    ``max_parallelism`` caps how many of its nodes run at once.
    """

    id: str
    workflow: str
    spec_hash: str
    inputs: dict[str, Literal]
    phase: ExecutionPhase = ExecutionPhase.QUEUED
    outputs: dict[str, Literal] | None = None
    error: ErrorInfo | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    launched_by: str = "cli"
    labels: dict[str, str] = {}
    project: str = "default"
    domain: str = "development"
    code_paths: tuple[str, ...] = ()
    name: str = ""
    workflow_id: EntityId | None = None
    launch_plan: EntityId | None = None
    code: CodePackage | None = None
    parent: str | None = None
    parent_node: str | None = None
    source: str | None = None
    scheduled_at: datetime | None = None
    overwrite_cache: bool = False
    max_parallelism: int | None = None
    schema_version: int = SCHEMA_VERSION


class Event(msgspec.Struct, frozen=True, omit_defaults=True):
    """One recorded transition. ``node_id`` is None for the execution itself."""

    execution_id: str
    phase: str
    at: float
    node_id: str | None = None
    attempt: int = 0
    detail: str = ""


class ExecutionDocument(msgspec.Struct):
    """The execution JSON of DESIGN's contract: the execution and its nodes, in node order."""

    execution: Execution
    nodes: list[NodeExecution]
