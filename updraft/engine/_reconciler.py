"""The reconciler: drives one execution from its recorded state to a terminal phase.

It starts every node whose inputs are ready, serves cached nodes from the catalog, hands the
rest to the executor in batches, applies results (retries, failures, outputs) and records
every transition. Changes are committed per tick: at most ``tick_seconds`` of work, and
always before the engine sleeps, so a kill loses at most the last tick, which a resumed run
repeats. The reconciler keeps no state that cannot be rebuilt from the store.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from updraft.engine import _composite
from updraft.engine._expand import under_finished
from updraft.engine._state import RunState
from updraft.engine.executors import Executor
from updraft.model import (
    DYNAMIC_EXPANDER,
    ON_FAILURE_NODE,
    AttemptRequest,
    AttemptResult,
    CacheStatus,
    ErrorInfo,
    Event,
    Execution,
    ExecutionPhase,
    Literal,
    NodeExecution,
    NodePhase,
    Outcome,
    TaskAttempt,
)
from updraft.store._interface import CachePut, MetadataStore, Tick

#: Called with each node whose state changed, and with None when the execution changed.
Listener = Callable[[RunState, NodeExecution | None], None]

_RETRYABLE = {Outcome.USER_ERROR, Outcome.TIMED_OUT, Outcome.OOM}
_RERUN_ON_RESUME = {
    NodePhase.RUNNING, NodePhase.FAILED, NodePhase.ABORTED, NodePhase.TIMED_OUT,
    NodePhase.SKIPPED,
}
_FINAL_PHASE = {
    Outcome.USER_ERROR: NodePhase.FAILED,
    Outcome.SYSTEM_ERROR: NodePhase.FAILED,
    Outcome.OOM: NodePhase.FAILED,
    Outcome.TIMED_OUT: NodePhase.TIMED_OUT,
    Outcome.CANCELLED: NodePhase.ABORTED,
}


def _now() -> datetime:
    return datetime.now(UTC)


def _abort_node(node: NodeExecution, now: datetime) -> bool:
    """Mark an unfinished node ABORTED (its running attempt CANCELLED); False when the node
    had finished already and is left as it is."""
    if node.phase not in (NodePhase.QUEUED, NodePhase.RUNNING):
        return False
    if node.history and node.history[-1].outcome is None:
        node.history[-1].outcome = Outcome.CANCELLED
        node.history[-1].ended_at = now
    node.phase = NodePhase.ABORTED
    if node.started_at is not None:
        node.mark_ended(now)
    return True


def _record_result(node: NodeExecution, result: AttemptResult) -> None:
    """Close the node's latest attempt record with how the attempt ended."""
    if not node.history:
        return
    record = node.history[-1]
    record.outcome = result.outcome
    record.ended_at = (
        datetime.fromtimestamp(result.ended_at, UTC) if result.ended_at else _now()
    )
    record.worker_id = result.worker_id
    record.log_uri = result.log_uri
    record.error = result.error


class Engine:
    """Runs executions recorded in ``store`` on ``executor``.

    Args:
        store: where executions, nodes, events and the cache live.
        executor: where attempts run.
        blob_root: the blob store's root, handed to workers with each attempt.
        system_retries: how many system failures (a worker that died) a node may have
            before it fails; separate from the task's ``retries``.
        tick_seconds: the longest stretch of work between two commits.
        listener: told of every change, e.g. to draw progress.
        lease_owner: who holds the executions this engine drives; the child executions
            that launch plan nodes start are created leased to it for ``lease_s`` seconds.
    """

    def __init__(
        self,
        store: MetadataStore,
        executor: Executor,
        blob_root: str,
        *,
        system_retries: int = 3,
        tick_seconds: float = 0.01,
        listener: Listener | None = None,
        code_version: str = "",
        lease_owner: str | None = None,
        lease_s: float = 0.0,
    ) -> None:
        self.store = store
        self.executor = executor
        self.blob_root = blob_root
        self.system_retries = system_retries
        self.tick_seconds = tick_seconds
        self.listener = listener
        self.code_version = code_version
        self.lease_owner = lease_owner
        self.lease_s = lease_s
        self._runs: dict[str, RunState] = {}
        self._ticks: dict[str, Tick] = {}
        self._tick_started = time.perf_counter()

    # -- loading ---------------------------------------------------------------------------

    def load(self, execution_id: str) -> RunState:
        """Rebuild an execution's state from the store, ready to run or resume.

        Nodes that were running when the last process stopped are queued again: their
        attempts are lost with that process, and outputs are only ever recorded once.
        """
        execution = self.store.get_execution(execution_id)
        spec = self.store.get_workflow_spec(execution.spec_hash)
        # A failure handler that ran before runs afresh if the resumed run fails again.
        nodes = [n for n in self.store.get_nodes(execution_id) if not _in_handler(n.node_id)]
        reset = []
        # Children of a node that finished keep their record as it is (an arm not taken
        # stays SKIPPED); the rest run again.
        settled = under_finished(nodes)
        for node in nodes:
            if node.phase in _RERUN_ON_RESUME and node.node_id not in settled:
                node.phase = NodePhase.QUEUED
                node.error = None
                node.ended_at = None
                node.duration_s = None
                reset.append(node.node_id)
        state = RunState.build(spec, execution, nodes)
        state.reset = reset
        state.used_before = {
            n: (state.nodes[n].attempts, state.nodes[n].system_failures) for n in reset
        }
        return state

    # -- the loop --------------------------------------------------------------------------

    def run(self, execution_id: str) -> Execution:
        """Run (or resume) one execution to its end and return its final record."""
        state = self.add(execution_id)
        try:
            while not state.execution.phase.terminal:
                self.step()
        finally:
            self.flush()
        self._runs.pop(execution_id, None)
        return state.execution

    def add(self, execution_id: str) -> RunState:
        """Start driving an execution (new or interrupted) alongside the others; `step`
        then advances all of them. An execution this engine drives already is left as it
        is (a launch plan's child execution may be claimed after its parent added it)."""
        driven = self._runs.get(execution_id)
        if driven is not None:
            return driven
        state = self.load(execution_id)
        if state.execution.phase == ExecutionPhase.SUCCEEDED:
            return state
        self._runs[execution_id] = state
        self._set_execution(state, ExecutionPhase.RUNNING, started=True)
        for node_id in state.node_specs:
            if state.nodes[node_id].phase == NodePhase.QUEUED and state.waiting_on[node_id] == 0:
                state.ready.append(node_id)
        self._tick_of(state).nodes.extend(state.nodes[node_id] for node_id in state.reset)
        if state.remaining == 0:
            self._finish(state)
        return state

    def state(self, execution_id: str) -> RunState | None:
        """The state of an execution this engine drives, or None."""
        return self._runs.get(execution_id)

    def active(self) -> list[str]:
        """Ids of the executions this engine drives that have not ended."""
        return [i for i, s in self._runs.items() if not s.execution.phase.terminal]

    def step(self, idle_wait: float = 0.5) -> list[str]:
        """Advance every execution once: start what is ready, apply results, commit when the
        tick is over, sleep when there is nothing to do.

        Returns:
            The ids of executions that ended and whose end is committed; the engine forgets
            them.
        """
        progressed = False
        for state in list(self._runs.values()):
            if not state.execution.phase.terminal:
                progressed = self._start_ready(state) or progressed
        results = self.executor.results()
        if results:
            self._apply(results)
            progressed = True
        if not progressed:
            for state in list(self._runs.values()):
                if state.child_executions and not state.execution.phase.terminal:
                    progressed = self._poll_children(state) or progressed
                if not (state.execution.phase.terminal or state.running or state.ready
                        or state.child_executions):
                    self._stalled(state)
                    progressed = True
        if not any(not t.empty() for t in self._ticks.values()):
            self._tick_started = time.perf_counter()
            if not progressed and not self._finished_ids():
                self.executor.wait(idle_wait)
            return self._forget_finished()
        age = time.perf_counter() - self._tick_started
        if age >= self.tick_seconds:
            self.flush()
            return self._forget_finished()
        if not progressed:
            self.executor.wait(self.tick_seconds - age)
        return []

    def _poll_children(self, state: RunState) -> bool:
        """Read the recorded phase of child executions another engine drives (it took them
        over when this one's lease lapsed): their end is not reported here otherwise.
        At most once a second per execution, when nothing else is going on."""
        now = time.monotonic()
        if now - state.children_polled < 1.0:
            return False
        state.children_polled = now
        ended = False
        for child_id in list(state.child_executions):
            if child_id in self._runs:
                continue
            child = self.store.get_execution(child_id)
            if child.phase.terminal:
                _composite.child_execution_ended(self, state, child)
                ended = True
        return ended

    def flush(self) -> None:
        """Commit every pending change now."""
        self._commit()
        self._tick_started = time.perf_counter()

    def _finished_ids(self) -> list[str]:
        return [i for i, s in self._runs.items() if s.execution.phase.terminal]

    def _forget_finished(self) -> list[str]:
        done = [i for i in self._finished_ids() if self._tick_empty(i)]
        for execution_id in done:
            del self._runs[execution_id]
        return done

    def _tick_empty(self, execution_id: str) -> bool:
        tick = self._ticks.get(execution_id)
        return tick is None or tick.empty()

    def _tick_of(self, state: RunState) -> Tick:
        execution_id = state.execution.id
        tick = self._ticks.get(execution_id)
        if tick is None:
            tick = self._ticks[execution_id] = Tick(execution_id=execution_id)
        return tick

    # -- starting nodes --------------------------------------------------------------------

    def _start_ready(self, state: RunState) -> bool:
        progressed = composite = False
        limit = state.execution.max_parallelism
        overwrite = state.execution.overwrite_cache
        while state.ready:
            batch: list[AttemptRequest] = []
            to_check: list[tuple[str, dict[str, Literal], str]] = []
            while state.ready:
                if limit and len(state.running) + len(batch) + len(to_check) >= limit:
                    break
                node_id = state.ready.popleft()
                node = state.nodes[node_id]
                if node.phase != NodePhase.QUEUED:
                    continue
                if _composite.start(self, state, node_id):
                    composite = True
                    continue
                task = state.task_of(node_id)
                inputs = state.node_inputs(node_id)
                if task.cache.enabled and not overwrite:
                    to_check.append((node_id, inputs, state.cache_key(task, inputs)))
                else:
                    batch.append(self._attempt(state, node_id, inputs))
            if to_check:
                hits = self.store.cache_lookup([key for _, _, key in to_check])
                for node_id, inputs, key in to_check:
                    outputs = hits.get(key)
                    if outputs is not None:
                        self._succeed(state, node_id, outputs, CacheStatus.HIT)
                    else:
                        batch.append(self._attempt(state, node_id, inputs))
            if batch:
                self.executor.submit(batch)
            if not (batch or to_check):
                break
            progressed = True
        return progressed or composite

    def _attempt(
        self, state: RunState, node_id: str, inputs: dict[str, Literal]
    ) -> AttemptRequest:
        node = state.nodes[node_id]
        task = state.task_of(node_id)
        node.attempts += 1
        now = _now()
        if node.started_at is None:
            node.started_at = now
        node.phase = NodePhase.RUNNING
        node.history.append(TaskAttempt(attempt=node.attempts, started_at=now))
        node.cache = CacheStatus.MISS if task.cache.enabled else CacheStatus.DISABLED
        attempt_id = f"{state.execution.id}/{node_id}/{node.attempts}"
        state.running[attempt_id] = node_id
        self._node_changed(state, node, NodePhase.RUNNING)
        return self._attempt_request(state, node_id, inputs, attempt_id, node.attempts)

    def _attempt_request(
        self, state: RunState, node_id: str, inputs: dict[str, Literal], attempt_id: str,
        attempt: int,
    ) -> AttemptRequest:
        task = state.task_of(node_id)
        return AttemptRequest(
            id=attempt_id,
            execution_id=state.execution.id,
            node_id=node_id,
            attempt=attempt,
            task_name=task.name,
            entry_point=task.entry_point,
            inputs=inputs,
            output_prefix=attempt_id,
            blob_root=self.blob_root,
            by_value=task.by_value,
            code_version=(
                state.execution.code.digest if state.execution.code else self.code_version
            ),
            code_paths=state.execution.code_paths,
            requests=task.requests,
            limits=task.limits,
            environment=task.environment,
            timeout_s=task.timeout_s,
            expander=DYNAMIC_EXPANDER if task.kind == "dynamic" else "",
        )

    # -- results ---------------------------------------------------------------------------

    def _apply(self, results: list[AttemptResult]) -> None:
        for result in results:
            state = self._runs.get(result.attempt_id.split("/", 1)[0])
            if state is None:
                continue
            node_id = state.running.pop(result.attempt_id, None)
            if node_id is None or state.execution.phase.terminal:
                continue
            if node_id in state.maps:
                _composite.map_result(self, state, node_id, result)
                continue
            node = state.nodes[node_id]
            if result.log_uri:
                node.log_uri = result.log_uri
            _record_result(node, result)
            if result.outcome == Outcome.SUCCEEDED and result.workflow is not None:
                _composite.expand_dynamic(self, state, node_id, result.workflow)
                continue
            if result.outcome == Outcome.SUCCEEDED:
                task = state.task_of(node_id)
                outputs = result.outputs or {}
                status = CacheStatus.DISABLED
                if task.cache.enabled:
                    key = state.cache_key(task, state.node_inputs(node_id))
                    self._tick_of(state).cache_puts.append(
                        CachePut(key, task.name, outputs, replace=state.execution.overwrite_cache,
                                 version=task.cache.version)
                    )
                    status = CacheStatus.PUT
                self._succeed(state, node_id, outputs, status)
                continue
            self._failed_attempt(state, node_id, result)

    def _failed_attempt(self, state: RunState, node_id: str, result: AttemptResult) -> None:
        node = state.nodes[node_id]
        task = state.task_of(node_id)
        error = result.error or ErrorInfo(kind=result.outcome.value, message=result.outcome.value)
        node.error = error
        if result.outcome == Outcome.SYSTEM_ERROR:
            node.system_failures += 1
            retry = state.system_failures(node) <= self.system_retries
        else:
            retry = result.outcome in _RETRYABLE and state.user_failures(node) <= task.retries
        if retry:
            node.phase = NodePhase.QUEUED
            self._node_changed(state, node, NodePhase.QUEUED, detail=f"retry: {error.message}")
            state.ready.append(node_id)
            return
        self._node_failed(state, node_id, error, _FINAL_PHASE.get(result.outcome, NodePhase.FAILED))

    def _succeed(
        self, state: RunState, node_id: str, outputs: dict[str, Literal], status: CacheStatus
    ) -> None:
        node = state.nodes[node_id]
        now = _now()
        node.phase = NodePhase.SUCCEEDED
        node.outputs = outputs
        node.cache = status
        node.error = None
        if node.started_at is None:
            node.started_at = now
        node.mark_ended(now)
        self._node_changed(state, node, NodePhase.SUCCEEDED, detail=status.value)
        self._node_done(state, node_id, ok=True)

    # -- nodes ending ----------------------------------------------------------------------

    def _node_done(self, state: RunState, node_id: str, *, ok: bool) -> None:
        """A tracked node ended: release (or skip) what waits for it, tell its parent, and
        end the execution when nothing is left."""
        state.remaining -= 1
        if ok:
            for down in state.downstream.get(node_id, ()):
                state.waiting_on[down] -= 1
                if state.waiting_on[down] == 0:
                    state.ready.append(down)
        else:
            self._skip_downstream(state, node_id)
        parent = state.parent_of.get(node_id)
        if parent is not None:
            state.open_children[parent] -= 1
            if not ok and parent not in state.doomed:
                child = state.nodes[node_id]
                state.doomed[parent] = _child_error(child)
            if state.open_children[parent] == 0:
                _composite.children_done(self, state, parent)
        if state.remaining == 0 and not state.execution.phase.terminal:
            self._finish(state)

    def _skip_downstream(self, state: RunState, node_id: str) -> None:
        """Nodes waiting for a failed node can never run: record them SKIPPED."""
        now = _now()
        for down in state.downstream.get(node_id, ()):
            node = state.nodes[down]
            if node.phase != NodePhase.QUEUED:
                continue
            node.phase = NodePhase.SKIPPED
            node.ended_at = now
            self._node_changed(state, node, NodePhase.SKIPPED, detail=f"{node_id} failed")
            self._node_done(state, down, ok=False)

    def _node_failed(
        self, state: RunState, node_id: str, error: ErrorInfo,
        phase: NodePhase = NodePhase.FAILED,
    ) -> None:
        """Record a node's final failure and apply the workflow's failure policy."""
        node = state.nodes[node_id]
        node.error = error
        node.phase = phase
        node.mark_ended(_now())
        self._node_changed(state, node, phase, detail=error.message)
        if _in_handler(node_id):
            # The handler's own failure ends it; the execution keeps the error it had.
            self._node_done(state, node_id, ok=False)
            return
        if state.spec.failure_policy != "fail_immediately":
            if state.final_error is None:
                state.final_error = _execution_error(node, error)
            self._node_done(state, node_id, ok=False)
            return
        self._fail_execution(state, node, error)

    # -- the execution ---------------------------------------------------------------------

    def _finish(self, state: RunState) -> None:
        if state.final_error is not None:
            self._end_failed(state, state.final_error)
            return
        try:
            state.execution.outputs = {
                name: state.resolve(binding) for name, binding in state.spec.outputs.items()
            }
        except KeyError as exc:
            error = ErrorInfo(
                kind="BINDING",
                message=(
                    f"workflow {state.spec.name!r}: an output is bound to {exc}, which no node "
                    "produced; check the workflow's return statement against its tasks' outputs"
                ),
            )
            self._end_failed(state, error)
            return
        self._set_execution(state, ExecutionPhase.SUCCEEDED, ended=True)

    def _fail_execution(self, state: RunState, node: NodeExecution, error: ErrorInfo) -> None:
        """Fail immediately (DESIGN, "Failures"): running siblings are aborted, the failed
        node's parents fail with it."""
        final = _execution_error(node, error)
        parent = state.parent_of.get(node.node_id)
        now = _now()
        while parent is not None:
            record = state.nodes[parent]
            if not record.phase.terminal:
                record.phase = NodePhase.FAILED
                record.error = _child_error(node)
                record.mark_ended(now)
                self._node_changed(state, record, NodePhase.FAILED, detail=record.error.message)
            node, parent = record, state.parent_of.get(parent)
        self._abort_unfinished(state, f"node {final.node} failed")
        state.remaining = 0
        self._end_failed(state, final)

    def _end_failed(self, state: RunState, error: ErrorInfo) -> None:
        """End the execution FAILED with ``error``, after its on_failure node ran."""
        state.final_error = error
        handler = state.spec.on_failure
        if handler is not None and not state.handler_started:
            state.handler_started = True
            _composite.start_handler(self, state, handler, error)
            if state.remaining:
                return
        state.execution.error = error
        self._set_execution(state, ExecutionPhase.FAILED, ended=True)

    def drop(self, execution_id: str) -> None:
        """Stop driving an execution without recording anything more: another process owns
        it now (its lease lapsed) or it was ended elsewhere. Its running attempts are
        cancelled and its uncommitted changes discarded."""
        state = self._runs.pop(execution_id, None)
        self._ticks.pop(execution_id, None)
        if state is None:
            return
        for attempt_id in state.running:
            self.executor.cancel(attempt_id)
        state.running.clear()

    def _stalled(self, state: RunState) -> None:
        """Nothing runs and nothing can start, yet the execution is not done: fail it with a
        system error rather than wait forever."""
        waiting = sorted(n for n, node in state.nodes.items() if not node.phase.terminal)
        state.execution.error = ErrorInfo(
            kind=Outcome.SYSTEM_ERROR.value,
            message=(
                f"execution {state.execution.id} stalled: nodes {waiting[:10]} wait for "
                "results that will never come. Resume it with `updraft run --resume "
                f"{state.execution.id}`."
            ),
        )
        self._abort_unfinished(state, "execution stalled")
        self._set_execution(state, ExecutionPhase.FAILED, ended=True)

    def _abort_unfinished(self, state: RunState, reason: str) -> None:
        """Cancel running attempts and mark every unfinished node ABORTED, so that a
        finished execution shows no node as still pending."""
        for attempt_id in state.running:
            self.executor.cancel(attempt_id)
        state.running.clear()
        state.ready.clear()
        _composite.abort_children(self, state, reason)
        now = _now()
        for other in state.nodes.values():
            if _abort_node(other, now):
                self._node_changed(state, other, NodePhase.ABORTED, detail=reason)

    def abort(self, state: RunState, reason: str) -> None:
        """Stop an execution: running nodes are cancelled, the phase becomes ABORTED.

        Call it from the thread that drives `run` (executors are not thread-safe).
        """
        self._abort_unfinished(state, reason)
        state.execution.error = ErrorInfo(kind="ABORTED", message=reason)
        self._set_execution(state, ExecutionPhase.ABORTED, ended=True)
        self._commit()

    def _set_execution(
        self, state: RunState, phase: ExecutionPhase, *, started: bool = False, ended: bool = False
    ) -> None:
        execution = state.execution
        execution.phase = phase
        if started:
            execution.started_at = execution.started_at or _now()
            execution.ended_at = None
            execution.error = None
        if ended:
            execution.ended_at = _now()
        tick = self._tick_of(state)
        tick.execution = execution
        tick.events.append(Event(execution.id, phase.value, time.time()))
        if self.listener is not None:
            self.listener(state, None)
        if ended and execution.parent is not None:
            parent = self._runs.get(execution.parent)
            if parent is not None:
                _composite.child_execution_ended(self, parent, execution)

    def _node_changed(
        self, state: RunState, node: NodeExecution, phase: NodePhase, detail: str = ""
    ) -> None:
        tick = self._tick_of(state)
        tick.nodes.append(node)
        tick.events.append(
            Event(state.execution.id, phase.value, time.time(), node.node_id, node.attempts,
                  detail)
        )
        if self.listener is not None:
            self.listener(state, node)

    def _commit(self) -> None:
        for execution_id, tick in list(self._ticks.items()):
            if tick.empty():
                del self._ticks[execution_id]
                continue
            # A node may change several times in one tick; the last state is what counts.
            tick.nodes = list({n.node_id: n for n in tick.nodes}.values())
            self.store.commit_tick(tick)
            del self._ticks[execution_id]


def _in_handler(node_id: str) -> bool:
    """Whether a node is the on_failure handler or one of its children."""
    return node_id == ON_FAILURE_NODE or node_id.startswith(ON_FAILURE_NODE + "-")


def _execution_error(node: NodeExecution, error: ErrorInfo) -> ErrorInfo:
    return ErrorInfo(
        kind=error.kind,
        message=f"node {node.name!r} ({node.node_id}) failed: {error.message}",
        traceback=error.traceback,
        node=node.node_id,
    )


def _child_error(child: NodeExecution) -> ErrorInfo:
    cause = child.error or ErrorInfo(kind="UPSTREAM", message=child.phase.value)
    return ErrorInfo(
        kind=cause.kind,
        message=f"child {child.name!r} ({child.node_id}) {child.phase.value.lower()}: "
                f"{cause.message}",
        traceback=cause.traceback,
        node=child.node_id,
    )


def abort_recorded(store: MetadataStore, execution_id: str, reason: str) -> Execution:
    """Record an execution ABORTED, with every unfinished node, without driving it.

    For an execution no engine here drives; an engine elsewhere that does notices the phase
    when it renews its lease and drops it.
    """
    execution = store.get_execution(execution_id)
    if execution.phase.terminal:
        return execution
    now = _now()
    tick = Tick(execution_id=execution_id)
    for node in store.get_nodes(execution_id):
        if node.child_execution and not node.phase.terminal:
            abort_recorded(store, node.child_execution, reason)
        if _abort_node(node, now):
            tick.nodes.append(node)
            tick.events.append(
                Event(execution_id, NodePhase.ABORTED.value, time.time(), node.node_id,
                      node.attempts, reason)
            )
    for batch in store.get_map_batches(execution_id):
        if _composite.close_batch(batch, now.timestamp()):
            tick.batches.append(batch)
    execution.phase = ExecutionPhase.ABORTED
    execution.ended_at = now
    execution.error = ErrorInfo(kind="ABORTED", message=reason)
    tick.execution = execution
    tick.events.append(Event(execution_id, ExecutionPhase.ABORTED.value, time.time(), None, 0,
                             reason))
    store.commit_tick(tick)
    return execution
