"""Median time of the console's graph and timeline endpoints for 1,000-node executions
(a chain, a fan-out, and a map of 1,000 elements), on SQLite, through the ASGI app."""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from updraft.model import (
    ElementCounts,
    Execution,
    ExecutionPhase,
    InputRef,
    Interface,
    LiteralType,
    MapBatch,
    MapSpec,
    NodeExecution,
    NodePhase,
    NodeSpec,
    Outcome,
    OutputRef,
    Parameter,
    Scalar,
    TaskAttempt,
    TaskSpec,
    WorkflowSpec,
    content_hash,
)
from updraft.server import create_app
from updraft.store import BlobStore, SqlMetadataStore, Tick

N = 1000
INT = LiteralType("int")
T0 = datetime(2025, 1, 1, tzinfo=UTC)
TASK = TaskSpec(name="b.inc", entry_point="b:inc",
                interface=Interface(inputs={"x": Parameter(INT)}, outputs={"o0": INT}))


def spec_chain() -> WorkflowSpec:
    nodes = [NodeSpec(id="n0", task=TASK.name, name="inc", inputs={"x": InputRef("x")})]
    for i in range(1, N):
        nodes.append(NodeSpec(id=f"n{i}", task=TASK.name, name="inc", upstream=(f"n{i-1}",),
                              inputs={"x": OutputRef(f"n{i-1}", "o0")}))
    return WorkflowSpec(name="b.chain", interface=Interface(inputs={"x": Parameter(INT)}),
                        nodes=tuple(nodes), outputs={}, tasks={TASK.name: TASK})


def spec_fan() -> WorkflowSpec:
    nodes = [NodeSpec(id=f"n{i}", task=TASK.name, name="inc", inputs={"x": InputRef("x")})
             for i in range(N)]
    return WorkflowSpec(name="b.fan", interface=Interface(inputs={"x": Parameter(INT)}),
                        nodes=tuple(nodes), outputs={}, tasks={TASK.name: TASK})


def spec_map() -> WorkflowSpec:
    node = NodeSpec(id="n0", task=TASK.name, name="incs", kind="map",
                    map=MapSpec(mapped=("x",)), inputs={"x": InputRef("x")})
    return WorkflowSpec(name="b.map", interface=Interface(inputs={"x": Parameter(INT)}),
                        nodes=(node,), outputs={}, tasks={TASK.name: TASK})


def record(store: SqlMetadataStore, spec: WorkflowSpec) -> str:
    digest = content_hash(spec)
    store.put_workflow_spec(digest, spec)
    eid = f"ex-{uuid.uuid4().hex[:8]}"
    ex = Execution(id=eid, workflow=spec.name, spec_hash=digest, inputs={"x": Scalar(1)},
                   created_at=T0, started_at=T0, ended_at=T0 + timedelta(seconds=N),
                   phase=ExecutionPhase.SUCCEEDED)
    store.create_execution(ex, [NodeExecution(node_id=n.id, name=n.name, kind=n.kind)
                                for n in spec.nodes])
    nodes, batches = [], []
    for i, n in enumerate(spec.nodes):
        start, end = T0 + timedelta(seconds=i), T0 + timedelta(seconds=i + 0.5)
        if n.kind == "map":
            nodes.append(NodeExecution(node_id=n.id, name=n.name, kind="map",
                                       phase=NodePhase.SUCCEEDED, started_at=start, ended_at=end,
                                       elements=ElementCounts(total=N, succeeded=N)))
            for b in range(N // 100):
                idx = list(range(b * 100, b * 100 + 100))
                batches.append(MapBatch(node_id=n.id, batch=b, indices=idx, attempts=[1] * 100,
                                        outcomes=[Outcome.SUCCEEDED] * 100,
                                        outputs=[{"o0": Scalar(i)} for i in idx],
                                        errors=[None] * 100, started_at=start.timestamp() + b,
                                        ended_at=start.timestamp() + b + 1))
            continue
        nodes.append(NodeExecution(
            node_id=n.id, name=n.name, phase=NodePhase.SUCCEEDED, attempts=1, started_at=start,
            ended_at=end, duration_s=0.5, outputs={"o0": Scalar(i)},
            history=[TaskAttempt(attempt=1, outcome=Outcome.SUCCEEDED, started_at=start,
                                 ended_at=end, worker_id="pid:1", log_uri="/tmp/x.log")]))
    store.commit_tick(Tick(eid, execution=ex, nodes=nodes, batches=batches))
    return eid


def median_ms(client: TestClient, path: str, runs: int = 30) -> float:
    client.get(path).raise_for_status()  # warm (spec cache)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.text
    return statistics.median(times)


def main() -> None:
    folder = tempfile.mkdtemp()
    store = SqlMetadataStore(f"sqlite:///{folder}/b.db")
    client = TestClient(create_app(store, BlobStore(f"{folder}/blobs"), None, home=folder))
    for label, spec in (("chain of 1,000", spec_chain()), ("fan-out of 1,000", spec_fan()),
                        ("map of 1,000", spec_map())):
        eid = record(store, spec)
        last = spec.nodes[-1].id
        row = [f"{label:18}"]
        for view in ("graph", "timeline", f"nodes/{last}/io"):
            took = median_ms(client, f"/api/v1/executions/{eid}/{view}")
            row.append(f"{view.split('/')[0]} {took:6.1f} ms")
        if spec.name == "b.map":
            took = median_ms(client, f"/api/v1/executions/{eid}/nodes/n0/elements?limit=100")
            row.append(f"elements(100) {took:6.1f} ms")
        row.append(f"document {median_ms(client, f'/api/v1/executions/{eid}'):6.1f} ms")
        print("  ".join(row))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
