"""The metadata store's interface: what the engine, runner and server may ask of it.

Implementations are synchronous. `commit_tick` is the hot path: everything the engine decides
in one tick is written in one transaction, so a crash loses at most one tick.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Sequence
from datetime import datetime

from updraft.model import (
    Event,
    Execution,
    ExecutionDocument,
    Literal,
    MapBatch,
    NodeExecution,
    WorkflowSpec,
)


class NotFoundError(LookupError):
    """The named execution or spec is not in the store."""


class SchemaVersionError(RuntimeError):
    """The database was migrated by a newer updraft than this one."""


@dataclasses.dataclass
class CachePut:
    """Outputs to remember under a cache key (see DESIGN: task, version, interface, inputs)."""

    key: str
    task_name: str
    outputs: dict[str, Literal]
    #: Replace an existing entry (an execution with ``overwrite_cache``); else first wins.
    replace: bool = False
    #: The task's cache version, kept with the entry so that `MetadataStore.cache_clear` can
    #: remove one version's entries; empty when unknown.
    version: str = ""


@dataclasses.dataclass
class Tick:
    """Everything one engine tick changes, written together by `MetadataStore.commit_tick`.

    ``nodes`` are upserted by (execution id, node id); ``execution`` replaces the row when set.
    ``batches`` (the packed elements of map nodes) are upserted by (execution id, node id,
    batch number): a batch is written when it starts and again when it ends.
    """

    execution_id: str
    execution: Execution | None = None
    nodes: list[NodeExecution] = dataclasses.field(default_factory=list)
    events: list[Event] = dataclasses.field(default_factory=list)
    cache_puts: list[CachePut] = dataclasses.field(default_factory=list)
    batches: list[MapBatch] = dataclasses.field(default_factory=list)

    def empty(self) -> bool:
        return not (self.execution or self.nodes or self.events or self.cache_puts
                    or self.batches)


class MetadataStore(abc.ABC):
    """Executions, their nodes and events, compiled specs, and the cache catalog."""

    @abc.abstractmethod
    def put_workflow_spec(self, spec_hash: str, spec: WorkflowSpec) -> None:
        """Remember a compiled workflow under its content hash; a second put is a no-op."""

    @abc.abstractmethod
    def get_workflow_spec(self, spec_hash: str) -> WorkflowSpec:
        """Raises NotFoundError when no spec has that hash."""

    @abc.abstractmethod
    def create_execution(
        self,
        execution: Execution,
        nodes: Sequence[NodeExecution],
        *,
        lease_owner: str | None = None,
        lease_s: float = 0.0,
        batches: Sequence[MapBatch] = (),
    ) -> None:
        """Record a new execution and its nodes (in workflow order) in one transaction.

        ``batches`` are map elements it starts with (a recovered execution reuses the
        elements that succeeded before).

        With ``lease_owner``, the execution is created leased to it for ``lease_s`` seconds,
        so that no engine claims it in between (a local run drives its own executions).
        """

    @abc.abstractmethod
    def get_execution(self, execution_id: str) -> Execution:
        """Raises NotFoundError naming the id when it is unknown."""

    @abc.abstractmethod
    def list_executions(
        self,
        *,
        project: str | None = None,
        domain: str | None = None,
        limit: int = 50,
        phases: Sequence[str] | None = None,
        labels: dict[str, str] | None = None,
        name: str | None = None,
        offset: int = 0,
        workflow: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
    ) -> list[Execution]:
        """Newest first. ``phases`` keeps only executions in those phases (e.g. the
        non-terminal ones, which a restarted server resumes); ``labels`` keeps those that
        carry every given label; ``offset`` skips that many for the next page.

        ``workflow`` keeps the executions of the workflow of that name; ``created_after``
        (inclusive) and ``created_before`` (exclusive) keep those created in a time range,
        as the console's filters ask. A naive datetime is taken as UTC."""

    def get_execution_by_name(self, project: str, domain: str, name: str) -> Execution:
        """The execution named ``name`` in a project and domain (names are unique there).

        Raises:
            NotFoundError: naming the name, project and domain.
        """
        found = self.list_executions(project=project, domain=domain, name=name, limit=1)
        if not found:
            raise NotFoundError(
                f"no execution named {name!r} in project {project!r}, domain {domain!r}; "
                "list the known ones with `updraft get executions`"
            )
        return found[0]

    @abc.abstractmethod
    def get_nodes(self, execution_id: str) -> list[NodeExecution]:
        """The execution's nodes in the order they were created."""

    @abc.abstractmethod
    def list_events(self, execution_id: str) -> list[Event]:
        """Every recorded transition of the execution, oldest first."""

    @abc.abstractmethod
    def commit_tick(self, tick: Tick) -> None:
        """Write one tick's changes in one transaction."""

    @abc.abstractmethod
    def get_map_batches(self, execution_id: str, node_id: str | None = None) -> list[MapBatch]:
        """The packed elements of an execution's map nodes, as the ticks last wrote them.

        Args:
            execution_id: the execution.
            node_id: only this map node's batches; every map node's when None.

        Returns:
            Batches ordered by node id, then batch number; empty when there are none.

        Raises:
            NotFoundError: the execution is unknown.

        Example:
            >>> [b.batch for b in store.get_map_batches("ex-1", "n2")]
            [0, 1, 2]
        """

    @abc.abstractmethod
    def cache_lookup(self, keys: Sequence[str]) -> dict[str, dict[str, Literal]]:
        """Outputs stored under each of ``keys`` that is present; absent keys are left out."""

    @abc.abstractmethod
    def cache_clear(self, task_name: str, version: str | None = None) -> int:
        """Forget a task's cached outputs, so that its next run computes them again.

        Args:
            task_name: the task's name (``module.qualname``), as nodes and cache entries
                record it.
            version: only the entries of this cache version; every version when None.

        Returns:
            How many entries were removed (0 when the task has none).

        Example:
            >>> store.cache_clear("workflows.example.draw", version="1")
            3
        """

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections."""

    def get_document_json(self, execution_id: str) -> bytes:
        """`get_document` encoded as JSON; stores that keep JSON may join it without
        decoding, which keeps large executions cheap to serve."""
        import msgspec

        return msgspec.json.encode(self.get_document(execution_id))

    def get_document(self, execution_id: str) -> ExecutionDocument:
        """The execution JSON document of DESIGN's contract."""
        return ExecutionDocument(
            execution=self.get_execution(execution_id), nodes=self.get_nodes(execution_id)
        )
