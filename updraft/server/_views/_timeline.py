"""The timeline view: one bar per attempt of every node on the execution's time axis.

Attempts come from each node's recorded history, so retries are separate bars with their
outcomes; a node served from the cache, which ran no attempt, gets one bar marked as a cache
hit, a node recovered from an earlier execution one marked RECOVERED, and a launch plan node
one spanning its child execution, marked with its phase. A map node gets one bar per stored
batch of elements instead of one per element, with how many of them failed. A node that
runs other nodes (a subworkflow, a conditional, a dynamic node once it built its workflow)
gets a span from its start to its end besides its attempts, so that a conditional that
failed before any child ran still shows when it ran and how it ended.
"""

from __future__ import annotations

from updraft.model import CacheStatus, MapBatch, NodeExecution, NodePhase, Outcome
from updraft.server._schemas import ExecutionTimeline, TimelineBar
from updraft.server._views._records import MAP_KIND, Records, epoch
from updraft.store import MetadataStore

#: A node that starts a child execution: one bar spans it, as no attempt of its own runs.
LAUNCH_PLAN_KIND = "launchplan"

#: Kinds of node that run other nodes in the same execution (a dynamic node is one once it
#: has children).
_PARENT_KINDS = frozenset({"subworkflow", "branch"})

#: Element outcomes that are not failures: a cancelled element was stopped, not broken.
_NOT_FAILED = frozenset({Outcome.SUCCEEDED, Outcome.CANCELLED})


def build_timeline(store: MetadataStore, records: Records) -> ExecutionTimeline:
    """Every bar of the execution, sorted by start time."""
    execution = records.execution
    bars: list[TimelineBar] = []
    maps = [r for r in records.nodes if r.kind == MAP_KIND]
    batches: dict[str, list[MapBatch]] = {}
    if maps:
        for batch in store.get_map_batches(execution.id):
            batches.setdefault(batch.node_id, []).append(batch)
    for record in records.nodes:
        found = batches.get(record.node_id)
        if found:
            bars.extend(_batch_bar(record, b) for b in found if epoch(b.started_at) is not None)
        else:
            runs_others = record.kind in _PARENT_KINDS or record.node_id in records.children
            if runs_others and record.phase != NodePhase.RECOVERED:  # that has its own bar
                bars.extend(_span_bar(record))
            bars.extend(_node_bars(record))
    bars.sort(key=lambda b: (b.start, b.node_id))
    start = epoch(execution.started_at) or epoch(execution.created_at)
    if start is None:
        start = bars[0].start if bars else 0.0
    elif bars:
        start = min(start, bars[0].start)
    return ExecutionTimeline(
        execution_id=execution.id,
        phase=execution.phase.value,
        start=start,
        end=epoch(execution.ended_at),
        bars=bars,
    )


def _node_bars(record: NodeExecution) -> list[TimelineBar]:
    bars = []
    for attempt in record.history:
        start = epoch(attempt.started_at)
        if start is None:
            continue  # handed to an executor, not started yet
        bars.append(TimelineBar(
            node_id=record.node_id,
            name=record.name,
            parent=record.parent,
            attempt=attempt.attempt,
            outcome=attempt.outcome.value if attempt.outcome is not None else "RUNNING",
            cache=False,
            start=start,
            end=epoch(attempt.ended_at),
        ))
    if record.history:
        return bars
    start = epoch(record.started_at)
    if start is None:
        return []
    end = epoch(record.ended_at)
    if record.cache == CacheStatus.HIT:
        outcome = Outcome.SUCCEEDED.value
    elif record.phase == NodePhase.RECOVERED:
        outcome = NodePhase.RECOVERED.value
    elif record.kind == LAUNCH_PLAN_KIND:  # its work is its child execution
        return [TimelineBar(
            node_id=record.node_id, name=record.name, parent=record.parent, attempt=0,
            outcome=record.phase.value, cache=False, start=start, end=end,
        )]
    else:
        return []  # a node that only ran others, or ended before it started work
    return [TimelineBar(
        node_id=record.node_id, name=record.name, parent=record.parent, attempt=0,
        outcome=outcome, cache=record.cache == CacheStatus.HIT, start=start, end=end or start,
    )]


def _span_bar(record: NodeExecution) -> list[TimelineBar]:
    """The span of a node that runs others, once it started: to its end, or open while it
    runs (a node that ended without an end time spans nothing)."""
    start = epoch(record.started_at)
    if start is None:
        return []
    end = epoch(record.ended_at)
    running = record.phase in (NodePhase.QUEUED, NodePhase.RUNNING)
    return [TimelineBar(
        node_id=record.node_id, name=record.name, parent=record.parent, attempt=0,
        outcome="RUNNING" if running else record.phase.value, cache=False, start=start,
        end=end if end is not None or running else start, span=True,
    )]


def _batch_bar(record: NodeExecution, batch: MapBatch) -> TimelineBar:
    start = epoch(batch.started_at) or 0.0
    end = epoch(batch.ended_at)
    failed = sorted({o.value for o in batch.outcomes if o is not None} - {"SUCCEEDED"})
    outcome = "RUNNING" if end is None else (failed[0] if failed else Outcome.SUCCEEDED.value)
    broken = sum(1 for o in batch.outcomes if o is not None and o not in _NOT_FAILED)
    return TimelineBar(
        node_id=record.node_id,
        name=record.name,
        parent=record.parent,
        attempt=max(batch.attempts, default=1),
        outcome=outcome,
        cache=batch.cache == CacheStatus.HIT,
        start=start,
        end=end,
        batch=batch.batch,
        elements=len(batch.indices),
        failed=broken,
    )
