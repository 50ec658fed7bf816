"""Nodes that run other nodes: subworkflows, dynamic tasks, conditionals, launch plans and
maps.

The reconciler hands a node here when it becomes ready and is not a plain task call. A
subworkflow, a dynamic task's generated workflow and a conditional's chosen arm run as
children of the node in the same execution (see `_expand`); a launch plan starts a child
execution of its own, linked both ways; a map runs its task per element in batches (see
`_map`). The parent node stays RUNNING until its children end, then takes its outputs
from them. Everything is recorded through the engine, so a resumed run rebuilds it: the
children's records are reused, a dynamic node's generated spec is read back from the store,
and a map's finished elements from its batch rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import msgspec

from updraft.engine._conditions import ConditionError, choose
from updraft.engine._expand import expand, initial_nodes, node_kind
from updraft.engine._map import LOOKUP_CHUNK, MAX_BATCH, ElementOutcome, MapInputError, MapRun
from updraft.engine._state import RunState
from updraft.model import (
    ON_FAILURE_NODE,
    AttemptRequest,
    AttemptResult,
    Binding,
    CacheStatus,
    ErrorInfo,
    Execution,
    ExecutionPhase,
    Literal,
    MapBatch,
    NodeExecution,
    NodePhase,
    NodeSpec,
    Outcome,
    OutputRef,
    Scalar,
    UnionValue,
    ValueBinding,
    WorkflowSpec,
    content_hash,
    node_outputs,
)
from updraft.store._interface import CachePut, NotFoundError

if TYPE_CHECKING:
    from updraft.engine._reconciler import Engine



def _now() -> datetime:
    return datetime.now(UTC)


def start(engine: Engine, state: RunState, node_id: str) -> bool:
    """Start ``node_id`` if it is a node that runs other nodes; False for a task call,
    which the reconciler runs itself."""
    spec = state.node_specs[node_id]
    if spec.kind == "task":
        record = state.nodes[node_id]
        if record.subworkflow_hash and state.task_of(node_id).kind == "dynamic":
            # A resumed dynamic node: its workflow was built before; run what is missing.
            generated = engine.store.get_workflow_spec(record.subworkflow_hash)
            _mark_running(engine, state, node_id)
            _run_children(engine, state, node_id, generated, {}, generated)
            return True
        return False
    _mark_running(engine, state, node_id)
    if spec.kind == "subworkflow":
        sub = _subworkflow(state, node_id)
        _run_children(engine, state, node_id, sub, state.node_inputs(node_id), sub)
    elif spec.kind == "branch":
        _start_branch(engine, state, node_id, spec)
    elif spec.kind == "launchplan":
        _start_launch_plan(engine, state, node_id, spec)
    elif spec.kind == "map":
        _start_map(engine, state, node_id, spec)
    else:
        engine._node_failed(state, node_id, ErrorInfo(
            kind="SPEC",
            message=f"node {spec.name!r} ({node_id}) has kind {spec.kind!r}, which this "
                    "version of updraft cannot run; upgrade updraft where the engine runs",
        ))
    return True


def _mark_running(engine: Engine, state: RunState, node_id: str) -> None:
    record = state.nodes[node_id]
    record.phase = NodePhase.RUNNING
    if record.started_at is None:
        record.started_at = _now()
    engine._node_changed(state, record, NodePhase.RUNNING)


def _subworkflow(state: RunState, node_id: str) -> WorkflowSpec:
    name = state.node_specs[node_id].workflow
    found = state.spec_of(node_id).subworkflows.get(name) or state.spec.subworkflows.get(name)
    if found is None:
        raise KeyError(f"node {node_id}: no subworkflow {name!r} in the execution's spec")
    return found


# -- children in the same execution ---------------------------------------------------------


def _run_children(
    engine: Engine,
    state: RunState,
    parent: str,
    sub: WorkflowSpec,
    inputs: dict[str, Literal],
    scope: WorkflowSpec,
) -> None:
    """Place ``sub``'s nodes under ``parent`` and start them."""
    expansion = expand(parent, sub, inputs)
    add_children(engine, state, parent, expansion.nodes, expansion.outputs, scope)


def add_children(
    engine: Engine,
    state: RunState,
    parent: str,
    children: list[NodeSpec],
    outputs: dict[str, Binding],
    scope: WorkflowSpec,
) -> None:
    """Track ``children`` as the nodes ``parent`` waits for; its outputs will be
    ``outputs`` resolved once they have all ended. Records left by an earlier run of the
    same execution are reused, so finished children are not run again."""
    state.parent_outputs[parent] = outputs
    state.open_children[parent] = 0
    for child in children:
        record = state.nodes.get(child.id)
        if record is None:
            record = NodeExecution(
                node_id=child.id, name=child.name, kind=node_kind(scope, child), parent=parent
            )
            state.nodes[child.id] = record
            engine._node_changed(state, record, NodePhase.QUEUED)
        state.track(child, parent, scope)
        if record.phase.done_ok:
            continue
        state.remaining += 1
        state.open_children[parent] += 1
    for child in children:
        record = state.nodes[child.id]
        if record.phase == NodePhase.QUEUED and state.waiting_on[child.id] == 0:
            state.ready.append(child.id)
    if state.open_children[parent] == 0:
        children_done(engine, state, parent)


def children_done(engine: Engine, state: RunState, parent: str) -> None:
    """Every child of ``parent`` ended: it succeeds with the outputs they produced, or
    fails with the first child's failure."""
    doomed = state.doomed.pop(parent, None)
    if doomed is not None:
        engine._node_failed(state, parent, doomed)
        return
    try:
        outputs = {k: state.resolve(b) for k, b in state.parent_outputs[parent].items()}
    except KeyError as exc:
        engine._node_failed(state, parent, ErrorInfo(
            kind="BINDING",
            message=f"an output of node {parent} is bound to {exc}, which no child produced",
        ))
        return
    status = CacheStatus.DISABLED
    node = state.node_specs[parent]
    if node.kind == "task" and state.task_of(parent).cache.enabled:
        # A dynamic task is cached as a whole, once the workflow it built has run.
        task = state.task_of(parent)
        engine._tick_of(state).cache_puts.append(CachePut(
            state.cache_key(task, state.node_inputs(parent)), task.name, outputs,
            replace=state.execution.overwrite_cache, version=task.cache.version,
        ))
        status = CacheStatus.PUT
    engine._succeed(state, parent, outputs, status)


def expand_dynamic(engine: Engine, state: RunState, node_id: str, generated: WorkflowSpec) -> None:
    """A dynamic task built its workflow: keep it (a resumed run reuses it) and run it."""
    digest = content_hash(generated)
    engine.store.put_workflow_spec(digest, generated)
    record = state.nodes[node_id]
    record.subworkflow_hash = digest
    engine._node_changed(state, record, NodePhase.RUNNING, detail="dynamic workflow built")
    _run_children(engine, state, node_id, generated, {}, generated)


# -- conditionals ----------------------------------------------------------------------------


def _start_branch(engine: Engine, state: RunState, node_id: str, spec: NodeSpec) -> None:
    try:
        chosen = choose(spec.cases, state.resolve)
    except ConditionError as exc:
        engine._node_failed(state, node_id, ErrorInfo(
            kind=Outcome.USER_ERROR.value, message=f"conditional {spec.name!r}: {exc}"))
        return
    now = _now()
    for index, case in enumerate(spec.cases):
        if index == chosen or case.node is None:
            continue
        skipped = NodeExecution(
            node_id=case.node.id, name=case.node.name, kind=node_kind(state.spec_of(node_id),
                                                                      case.node),
            parent=node_id, phase=NodePhase.SKIPPED, ended_at=now,
        )
        state.nodes[skipped.node_id] = skipped
        engine._node_changed(state, skipped, NodePhase.SKIPPED, detail="branch not taken")
    if chosen is None:
        engine._node_failed(state, node_id, ErrorInfo(
            kind=Outcome.USER_ERROR.value,
            message=f"conditional {spec.name!r}: no condition held and it has no else arm; "
                    "add .else_() to say what happens then",
        ))
        return
    case = spec.cases[chosen]
    if case.node is None:
        engine._node_failed(state, node_id, ErrorInfo(
            kind=Outcome.USER_ERROR.value,
            message=case.fail or f"conditional {spec.name!r} failed",
        ))
        return
    arm = case.node
    outputs: dict[str, Binding] = {
        name: OutputRef(arm.id, name) for name in node_outputs(state.spec_of(node_id), arm)
    }
    add_children(engine, state, node_id, [arm], outputs, state.spec_of(node_id))


# -- launch plans ----------------------------------------------------------------------------


def _start_launch_plan(engine: Engine, state: RunState, node_id: str, spec: NodeSpec) -> None:
    parent = state.execution
    record = state.nodes[node_id]
    child_id = record.child_execution or f"{parent.id}-{node_id}"
    try:
        child = engine.store.get_execution(child_id)
    except NotFoundError:
        sub = _subworkflow(state, node_id)
        digest = content_hash(sub)
        engine.store.put_workflow_spec(digest, sub)
        registered = parent.workflow_id
        child = Execution(
            id=child_id,
            workflow=sub.name,
            spec_hash=digest,
            inputs=state.node_inputs(node_id),
            created_at=_now(),
            launched_by="parent",
            # Registered together with the parent: the same project, domain and version.
            workflow_id=(
                msgspec.structs.replace(registered, name=sub.name) if registered else None
            ),
            launch_plan=(
                msgspec.structs.replace(registered, name=spec.launch_plan)
                if registered and spec.launch_plan else None
            ),
            labels=dict(parent.labels),
            project=parent.project,
            domain=parent.domain,
            code_paths=parent.code_paths,
            code=parent.code,
            parent=parent.id,
            parent_node=node_id,
            overwrite_cache=parent.overwrite_cache,
            max_parallelism=parent.max_parallelism,
        )
        engine.store.create_execution(
            child, initial_nodes(sub), lease_owner=engine.lease_owner, lease_s=engine.lease_s
        )
    record.child_execution = child_id
    engine._node_changed(state, record, NodePhase.RUNNING, detail=f"started execution {child_id}")
    state.child_executions[child_id] = node_id
    if child.phase == ExecutionPhase.SUCCEEDED:
        child_execution_ended(engine, state, child)
        return
    # Running, or ended without success in an earlier run of the parent (a resumed parent
    # resumes its child, which reruns only what did not succeed).
    driven = engine.add(child_id)
    if driven.execution.phase.terminal:
        child_execution_ended(engine, state, driven.execution)


def child_execution_ended(engine: Engine, state: RunState, child: Execution) -> None:
    """The execution a launch plan node started has ended: so does the node."""
    node_id = state.child_executions.pop(child.id, None)
    if node_id is None or state.nodes[node_id].phase.terminal:
        return
    if child.phase == ExecutionPhase.SUCCEEDED:
        engine._succeed(state, node_id, dict(child.outputs or {}), CacheStatus.DISABLED)
        return
    cause = child.error or ErrorInfo(kind=child.phase.value, message=child.phase.value.lower())
    engine._node_failed(state, node_id, ErrorInfo(
        kind=cause.kind,
        message=f"execution {child.id} ({child.workflow}) {child.phase.value.lower()}: "
                f"{cause.message}",
        traceback=cause.traceback,
    ))


# -- maps ------------------------------------------------------------------------------------


def _start_map(engine: Engine, state: RunState, node_id: str, spec: NodeSpec) -> None:
    assert spec.map is not None
    task = state.task_of(node_id)
    try:
        run = MapRun.start(node_id, task, spec.map, state.node_inputs(node_id))
    except MapInputError as exc:
        engine._node_failed(state, node_id, ErrorInfo(
            kind=Outcome.USER_ERROR.value, message=f"map {spec.name!r} ({node_id}): {exc}"))
        return
    run.restore(engine.store.get_map_batches(state.execution.id, node_id))
    state.maps[node_id] = run
    if task.cache.enabled and not state.execution.overwrite_cache:
        _serve_from_cache(engine, state, run)
    feed_map(engine, state, node_id)


def _element_key(state: RunState, run: MapRun, index: int) -> str:
    return state.cache_key(run.task, {**run.fixed, **run.element_inputs(index)})


def _serve_from_cache(engine: Engine, state: RunState, run: MapRun) -> None:
    keys = {index: _element_key(state, run, index) for index in run.pending}
    hits: dict[int, dict[str, Literal]] = {}
    ordered = list(keys.items())
    for start_at in range(0, len(ordered), LOOKUP_CHUNK):
        chunk = ordered[start_at:start_at + LOOKUP_CHUNK]
        found = engine.store.cache_lookup([key for _, key in chunk])
        hits.update({index: found[key] for index, key in chunk if key in found})
    found_hits = list(hits.items())
    for start_at in range(0, len(found_hits), MAX_BATCH):
        part = dict(found_hits[start_at:start_at + MAX_BATCH])
        engine._tick_of(state).batches.append(run.cache_hits(part))


def feed_map(engine: Engine, state: RunState, node_id: str) -> None:
    """Hand the executor batches of the map's pending elements, within its concurrency
    and the execution's parallelism; end the node once every element has ended."""
    run = state.maps[node_id]
    limit = state.execution.max_parallelism
    workers = engine.executor.parallelism()
    requests: list[AttemptRequest] = []
    while (run.can_start() and len(run.in_flight) < run.max_in_flight(workers)
           and not (limit and len(state.running) >= limit)):
        indices = run.take(run.batch_size(workers))
        attempt_id = f"{state.execution.id}/{node_id}/b{run.next_batch}"
        batch = run.open_batch(attempt_id, indices)
        engine._tick_of(state).batches.append(batch)
        state.running[attempt_id] = node_id
        template = engine._attempt_request(state, node_id, {}, attempt_id, batch.batch)
        requests.append(_with_elements(template, run, indices))
    if requests:
        engine.executor.submit(requests)
    _update_counts(engine, state, run)
    if run.done:
        _end_map(engine, state, node_id)


def _with_elements(template: AttemptRequest, run: MapRun, indices: list[int]) -> AttemptRequest:
    return msgspec.structs.replace(
        template,
        inputs=run.fixed,
        elements=tuple(run.element_inputs(i) for i in indices),
        element_indices=tuple(indices),
    )


def map_result(engine: Engine, state: RunState, node_id: str, result: AttemptResult) -> None:
    """A batch of the map ended: record each element, retry or fail it, go on."""
    run = state.maps[node_id]
    batch = run.in_flight.get(result.attempt_id)
    if batch is None:
        return
    whole = result.elements is None or len(result.elements) != len(batch.indices)
    outcomes: list[ElementOutcome]
    if whole:
        error = result.error or ErrorInfo(kind=result.outcome.value,
                                          message=result.outcome.value)
        outcome = Outcome.SYSTEM_ERROR if result.outcome == Outcome.SUCCEEDED else result.outcome
        outcomes = [(outcome, None, error)] * len(batch.indices)
    else:
        assert result.elements is not None
        outcomes = [(e.outcome, e.outputs, e.error) for e in result.elements]
    finished, succeeded = run.settle(
        result.attempt_id,
        outcomes,
        ended_at=result.ended_at or _now().timestamp(),
        worker_id=result.worker_id,
        log_uri=result.log_uri,
        system_retries=engine.system_retries,
        whole_batch=whole and len(batch.indices) > 1,
        elapsed_s=max(0.0, result.ended_at - result.started_at) if result.started_at else 0.0,
    )
    tick = engine._tick_of(state)
    tick.batches.append(finished)
    if run.task.cache.enabled:
        for index in succeeded:
            tick.cache_puts.append(CachePut(
                _element_key(state, run, index), run.task.name, run.outputs[index] or {},
                replace=state.execution.overwrite_cache, version=run.task.cache.version,
            ))
    record = state.nodes[node_id]
    if result.log_uri:
        record.log_uri = result.log_uri
    record.attempts = max(record.attempts, max(finished.attempts, default=0))
    feed_map(engine, state, node_id)


def _update_counts(engine: Engine, state: RunState, run: MapRun) -> None:
    record = state.nodes[run.node_id]
    counts = run.counts()
    if record.elements != counts:
        record.elements = counts
        engine._tick_of(state).nodes.append(record)
        if engine.listener is not None:
            engine.listener(state, record)


def _end_map(engine: Engine, state: RunState, node_id: str) -> None:
    run = state.maps.pop(node_id)
    outputs, error = run.verdict()
    if error is not None:
        engine._node_failed(state, node_id, error)
        return
    assert outputs is not None
    if run.all_cached:
        status = CacheStatus.HIT
    elif run.task.cache.enabled:
        status = CacheStatus.PUT
    else:
        status = CacheStatus.DISABLED
    engine._succeed(state, node_id, outputs, status)


# -- on_failure ------------------------------------------------------------------------------


def start_handler(engine: Engine, state: RunState, handler: NodeSpec, error: ErrorInfo) -> None:
    """Run the workflow's on_failure node with the error that ended the execution."""
    scope = state.spec
    if handler.kind == "task":
        declared = scope.tasks[handler.task].interface.inputs.get("error")
    else:
        declared = scope.subworkflows[handler.workflow].interface.inputs.get("error")
    message: Literal = Scalar(error.message)
    if declared is not None and declared.type.kind == "union":
        message = UnionValue(0, message)
    node = NodeSpec(
        id=ON_FAILURE_NODE,
        task=handler.task,
        name=handler.name,
        inputs={**handler.inputs, "error": ValueBinding(message)},
        location=handler.location,
        kind=handler.kind,
        workflow=handler.workflow,
        overrides=handler.overrides,
    )
    record = state.nodes.get(ON_FAILURE_NODE)
    if record is None or record.phase.terminal:
        record = NodeExecution(node_id=ON_FAILURE_NODE, name=handler.name,
                               kind=node_kind(scope, node))
        state.nodes[ON_FAILURE_NODE] = record
    engine._node_changed(state, record, NodePhase.QUEUED, detail="the workflow failed")
    state.track(node, None, None)
    state.remaining += 1
    state.ready.append(ON_FAILURE_NODE)


def close_batch(batch: MapBatch, ended_at: float) -> bool:
    """Record the elements of a map batch that had not ended as CANCELLED; False when the
    batch had ended already."""
    if all(outcome is not None for outcome in batch.outcomes):
        return False
    batch.outcomes = [Outcome.CANCELLED if o is None else o for o in batch.outcomes]
    batch.ended_at = batch.ended_at or ended_at
    return True


def abort_children(engine: Engine, state: RunState, reason: str) -> None:
    """Abort the executions that this one's launch plan nodes started, and record the map
    batches still running as cancelled."""
    children = list(state.child_executions)
    state.child_executions.clear()
    now = _now().timestamp()
    for run in state.maps.values():
        for batch in run.in_flight.values():
            close_batch(batch, now)
            engine._tick_of(state).batches.append(batch)
    state.maps.clear()
    for child_id in children:
        child = engine.state(child_id)
        if child is not None and not child.execution.phase.terminal:
            engine.abort(child, reason)
