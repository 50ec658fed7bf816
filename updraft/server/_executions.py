"""Reading and controlling executions: list, documents, node details, logs, event streams,
termination.

Everything here reads the store; the only state change, termination, goes through the engine
service so that running attempts are cancelled by whoever drives them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

import msgspec

from updraft.model import Event, Execution, NodeExecution
from updraft.server._errors import BadRequestError, ConflictError, UnavailableError
from updraft.server._registration import check_domain
from updraft.server._schemas import unstorable_text
from updraft.server._views import Records, SpecCache, node_inputs
from updraft.store import BlobStore, MetadataStore, NotFoundError

#: The most of one log the API sends: its end, where the error is.
LOG_LIMIT = 1 << 20

#: How often an event stream looks for new events.
POLL_S = 0.1

#: How long an event stream stays silent before it sends a comment line. Writing is how the
#: server learns that a client went away; without it an abandoned stream of a quiet execution
#: would poll the store and hold a worker thread until the execution ends.
HEARTBEAT_S = 15.0


class Terminator(Protocol):
    """The part of the engine service that termination needs."""

    def terminate(self, execution_id: str, reason: str) -> None: ...


def parse_labels(labels: Sequence[str]) -> dict[str, str]:
    """``["team=ml", "env=dev"]`` as a dict; BadRequestError for an item without ``=``."""
    parsed: dict[str, str] = {}
    for item in labels:
        key, sep, value = item.partition("=")
        if unstorable_text(item):
            raise BadRequestError(
                f"label filter {item!r} contains a NUL character or a lone surrogate"
            )
        if not sep or not key:
            raise BadRequestError(
                f"label filter {item!r} is not KEY=VALUE; pass e.g. label=team=ml"
            )
        parsed[key] = value
    return parsed


class ExecutionReader:
    """Answers questions about recorded executions."""

    def __init__(
        self,
        store: MetadataStore,
        blobs: BlobStore,
        live_output: Callable[[str], str | None] | None = None,
    ) -> None:
        self.store = store
        self.blobs = blobs
        #: Workflow specs by hash, shared by every node this reader resolves.
        self.specs = SpecCache(store)
        #: What a running attempt (by attempt id) printed so far, when this server runs it.
        self.live_output = live_output

    def list_executions(
        self,
        *,
        project: str | None,
        domain: str | None,
        phases: Sequence[str],
        labels: dict[str, str],
        name: str | None,
        limit: int,
        offset: int,
        workflow: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
    ) -> list[Execution]:
        """Executions matching every filter, newest first.

        ``workflow`` is a workflow's name; ``created_after`` (inclusive) and
        ``created_before`` (exclusive) bound the creation time.
        """
        from updraft.model import ExecutionPhase

        if domain is not None:
            check_domain(domain)
        known = {p.value for p in ExecutionPhase}
        unknown = sorted(set(phases) - known)
        if unknown:
            raise BadRequestError(
                f"unknown phase(s) {unknown}; use one of {', '.join(sorted(known))}"
            )
        if created_after is not None and created_before is not None:
            after, before = _utc(created_after), _utc(created_before)
            if after >= before:
                raise BadRequestError(
                    f"created_after ({after.isoformat()}) is not before created_before "
                    f"({before.isoformat()}); give a range whose start comes first"
                )
        return self.store.list_executions(
            project=project, domain=domain, phases=list(phases) or None, labels=labels or None,
            name=name, limit=limit, offset=offset, workflow=workflow,
            created_after=created_after, created_before=created_before,
        )

    def page(self, *, limit: int, **filters: Any) -> tuple[list[Execution], bool]:
        """One page of `list_executions` and whether another page follows it."""
        found = self.list_executions(limit=limit + 1, **filters)
        return found[:limit], len(found) > limit

    def node(self, execution_id: str, node_id: str) -> dict[str, Any]:
        """A node's record with its attempts, the inputs it was (or will be) given and its
        outputs. Inputs whose upstream node has not produced them yet are left out; a node
        no spec describes (a map's element) has none."""
        document = self.store.get_document(execution_id)
        records = Records.of(document.execution, document.nodes)
        node = records.require(node_id)
        resolved = node_inputs(self.specs, records, node_id)
        inputs = (
            None if resolved is None
            else {name: value for name, value in resolved.items() if value is not None}
        )
        return {
            "execution_id": execution_id,
            "node": msgspec.to_builtins(node),
            "inputs": msgspec.to_builtins(inputs) if inputs is not None else None,
            "outputs": msgspec.to_builtins(node.outputs) if node.outputs is not None else None,
        }

    def logs(self, execution_id: str, node_id: str | None) -> str:
        """What the execution's attempts printed, node by node and attempt by attempt, each
        followed by its error and traceback; then the execution's own error."""
        document = self.store.get_document(execution_id)
        nodes = document.nodes
        if node_id is not None:
            nodes = [n for n in nodes if n.node_id == node_id]
            if not nodes:
                ids = ", ".join(n.node_id for n in document.nodes[:20])
                raise NotFoundError(
                    f"execution {execution_id} has no node {node_id!r}; its nodes are {ids}"
                )
        parts: list[str] = []
        for node in nodes:
            parts.extend(self._node_log(execution_id, node))
        error = document.execution.error
        if node_id is None and error is not None:
            parts.append(f"=== execution {execution_id} {document.execution.phase.value}: "
                         f"{error.message}\n")
            if error.traceback:
                parts.append(error.traceback.rstrip() + "\n")
        return "".join(parts)

    def _node_log(self, execution_id: str, node: NodeExecution) -> list[str]:
        parts: list[str] = []
        attempts = node.history or []
        if not attempts and node.log_uri:
            parts.append(f"=== node {node.node_id} ({node.name})\n")
            parts.append(self._read_log(node.log_uri))
        for attempt in attempts:
            outcome = attempt.outcome.value if attempt.outcome else "RUNNING"
            parts.append(
                f"=== node {node.node_id} ({node.name}) attempt {attempt.attempt}: {outcome}\n"
            )
            if attempt.log_uri:
                parts.append(self._read_log(attempt.log_uri))
            elif attempt.outcome is None and self.live_output is not None:
                printed = self.live_output(f"{execution_id}/{node.node_id}/{attempt.attempt}")
                if printed:
                    parts.append(printed if printed.endswith("\n") else printed + "\n")
            if attempt.error is not None:
                parts.append(f"{attempt.error.kind}: {attempt.error.message}\n")
                if attempt.error.traceback:
                    parts.append(attempt.error.traceback.rstrip() + "\n")
        if not attempts and node.error is not None:
            parts.append(f"=== node {node.node_id} ({node.name}) {node.phase.value}: "
                         f"{node.error.message}\n")
            if node.error.traceback:
                parts.append(node.error.traceback.rstrip() + "\n")
        return parts

    def _read_log(self, uri: str) -> str:
        try:
            if "://" not in uri and os.path.isfile(uri):
                with open(uri, "rb") as f:
                    size = os.fstat(f.fileno()).st_size
                    f.seek(max(0, size - LOG_LIMIT))
                    data = f.read()
            else:
                data = self.blobs.get_bytes(uri)[-LOG_LIMIT:]
        except (OSError, FileNotFoundError, NotFoundError) as exc:
            return f"(log {uri} cannot be read: {exc})\n"
        text = data.decode("utf-8", errors="replace")
        return text if text.endswith("\n") or not text else text + "\n"

    def events(
        self, execution_id: str, after: int = 0, poll_s: float = POLL_S,
        timeout_s: float | None = None, heartbeat_s: float = HEARTBEAT_S,
    ) -> Iterator[str]:
        """Server-sent events: the recorded events from index ``after`` on, then new ones as
        they are recorded, until the execution ends; a last ``end`` event carries its phase.

        Each event's id is its index, so a client that reconnects with ``Last-Event-ID``
        resumes where it stopped.
        """
        self.store.get_execution(execution_id)
        sent = max(0, after)
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        last_write = time.monotonic()
        while True:
            execution = self.store.get_execution(execution_id)
            events = self.store.list_events(execution_id)
            for index in range(sent, len(events)):
                yield _sse("event", events[index], index + 1)
                last_write = time.monotonic()
            sent = max(sent, len(events))
            if execution.phase.terminal:
                yield _sse("end", {"execution_id": execution_id,
                                   "phase": execution.phase.value}, None)
                return
            if deadline is not None and time.monotonic() > deadline:
                return
            if time.monotonic() - last_write >= heartbeat_s:
                yield ": heartbeat\n\n"
                last_write = time.monotonic()
            time.sleep(poll_s)

    def terminate(self, engine: Terminator | None, execution_id: str, reason: str) -> None:
        """Abort a running execution through the engine service.

        Raises:
            NotFoundError: no such execution.
            ConflictError: it has ended already.
            UnavailableError: this server runs no engine.
        """
        execution = self.store.get_execution(execution_id)
        if execution.phase.terminal:
            raise ConflictError(
                f"execution {execution_id} has ended already ({execution.phase.value}); "
                "only a queued or running execution can be terminated"
            )
        if engine is None:
            raise UnavailableError(
                "this server runs no engine, so it cannot terminate executions; start the "
                "server with `updraft serve`"
            )
        engine.terminate(execution_id, reason)


def _utc(moment: datetime) -> datetime:
    """A naive time is UTC, as the store reads it."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _sse(kind: str, payload: Event | dict[str, Any], event_id: int | None) -> str:
    data = msgspec.json.encode(payload).decode()
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\ndata: {data}\n\n"
