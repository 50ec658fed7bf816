"""What a recovered execution starts from: the work of a failed one that need not run again.

Flyte's recover reruns a failed execution while reusing the outputs of every node that
succeeded. Here that reaches inside nodes that run others: the succeeded children of a
subworkflow, dynamic or branch node that failed are kept (the node expands again and finds
them done), and so are the succeeded elements of a failed map. Pure: the caller records the
result.
"""

from __future__ import annotations

from datetime import UTC, datetime

from updraft.engine._expand import initial_nodes, under_finished
from updraft.model import (
    MapBatch,
    NodeExecution,
    NodePhase,
    Outcome,
    WorkflowSpec,
)


def _recovered(before: NodeExecution, now: datetime) -> NodeExecution:
    return NodeExecution(
        node_id=before.node_id, name=before.name, kind=before.kind, parent=before.parent,
        phase=NodePhase.RECOVERED, cache=before.cache, outputs=before.outputs,
        started_at=now, ended_at=now, duration_s=0.0, log_uri=before.log_uri,
        child_execution=before.child_execution, subworkflow_hash=before.subworkflow_hash,
        elements=before.elements,
    )


def recovered_state(
    spec: WorkflowSpec, nodes: list[NodeExecution], batches: list[MapBatch]
) -> tuple[list[NodeExecution], list[MapBatch]]:
    """The node records and map batches a recovery of an execution with ``nodes`` and
    ``batches`` starts with: top-level nodes fresh or RECOVERED, the succeeded children of
    unfinished parents RECOVERED, and the succeeded elements of unfinished maps."""
    now = datetime.now(UTC)
    done = {n.node_id: n for n in nodes if n.phase.done_ok}
    records = [
        _recovered(done[n.node_id], now) if n.node_id in done else n
        for n in initial_nodes(spec)
    ]

    # Below a parent that succeeded nothing expands again: the parent's record is enough.
    settled = under_finished(nodes)
    records += [
        _recovered(n, now) for n in nodes
        if n.parent is not None and n.phase.done_ok and n.node_id not in settled
    ]
    kept: list[MapBatch] = []
    for batch in batches:
        if batch.node_id in done:
            continue
        keep = [i for i, o in enumerate(batch.outcomes) if o == Outcome.SUCCEEDED]
        if not keep:
            continue
        kept.append(MapBatch(
            node_id=batch.node_id, batch=len(kept), cache=batch.cache,
            indices=[batch.indices[i] for i in keep],
            attempts=[batch.attempts[i] for i in keep],
            outcomes=[Outcome.SUCCEEDED] * len(keep),
            outputs=[batch.outputs[i] for i in keep],
            errors=[None] * len(keep),
            started_at=batch.started_at, ended_at=batch.ended_at,
            worker_id=batch.worker_id, log_uri=batch.log_uri,
        ))
    return records, kept
