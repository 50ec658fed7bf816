"""The server side of the web console: graph, timeline, map elements, rendered inputs and
outputs, blob downloads, launch forms, the executions list's filters, and the console's
pages.

Executions come from two places: a real local run of tests/resources/wf_data (data frames,
files, structs) read through the API, and an execution of a hand-written workflow with a
retried task, a subworkflow, a map, a cache hit and a conditional, recorded in the store the
way the engine records such nodes (children under their parent's id, map elements packed in
batches). Every response is also checked against the pydantic model the console codes to.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
import wf_basic
import wf_data
from fastapi.testclient import TestClient

from tests.server.conftest import registration_body
from updraft.model import (
    BranchCase,
    CacheStatus,
    Comparison,
    ElementCounts,
    ErrorInfo,
    Execution,
    ExecutionPhase,
    InputRef,
    Interface,
    LaunchPlanSpec,
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
    ValueBinding,
    WorkflowSpec,
    content_hash,
)
from updraft.runner import run_entity
from updraft.server import _routes_console as console_routes
from updraft.server import create_app
from updraft.server._schemas import (
    ExecutionGraph,
    ExecutionPage,
    ExecutionTimeline,
    IoView,
    LaunchForm,
    MapElements,
)
from updraft.store import BlobStore, SqlMetadataStore, Tick, open_store

API = "/api/v1"
INT = LiteralType("int")


@pytest.fixture
def local_home(tmp_path: Path) -> str:
    return str(tmp_path / "local-home")


@pytest.fixture
def home_client(local_home: str) -> Iterator[TestClient]:
    """A client of a server (without engine) over a local home, on SQLite."""
    meta, blobs = open_store(local_home)
    try:
        with TestClient(create_app(meta, blobs, None, home=local_home)) as c:
            yield c
    finally:
        meta.close()


@pytest.fixture
def frames_run(local_home: str, home_client: TestClient) -> str:
    """wf_data.frames run to the end here (inline), in the home the client reads."""
    result = run_entity(wf_data.frames, {"n": 3}, executor="inline", home=local_home)
    assert result.succeeded
    return result.execution.id


def _get(client: TestClient, path: str, status: int = 200) -> Any:
    response = client.get(f"{API}{path}")
    assert response.status_code == status, response.text
    return response.json()


# -- a real run: values of every kind --------------------------------------------------------


def test_graph_and_timeline_of_a_real_run(home_client: TestClient, frames_run: str) -> None:
    graph = ExecutionGraph.model_validate(_get(home_client, f"/executions/{frames_run}/graph"))
    spec = wf_data.frames.spec
    assert [n.id for n in graph.nodes] == [n.id for n in spec.nodes]
    assert [n.name for n in graph.nodes] == [n.name for n in spec.nodes]
    assert {(e.source, e.target) for e in graph.edges} == {
        (u, n.id) for n in spec.nodes for u in n.upstream
    }
    assert all(n.phase == "SUCCEEDED" and n.kind == "task" and n.parent is None
               for n in graph.nodes)
    assert all(n.started_at is not None and n.ended_at is not None and n.ended_at >= n.started_at
               for n in graph.nodes)

    timeline = ExecutionTimeline.model_validate(
        _get(home_client, f"/executions/{frames_run}/timeline")
    )
    assert sorted(b.node_id for b in timeline.bars) == sorted(n.id for n in spec.nodes)
    assert all(b.outcome == "SUCCEEDED" and not b.cache and b.attempt == 1
               for b in timeline.bars)
    assert timeline.end is not None
    assert all(timeline.start <= b.start and b.end is not None and b.end <= timeline.end + 1e-3
               for b in timeline.bars)
    assert [b.start for b in timeline.bars] == sorted(b.start for b in timeline.bars)


def test_inputs_and_outputs_are_rendered_by_type(
    home_client: TestClient, frames_run: str
) -> None:
    io = IoView.model_validate(_get(home_client, f"/executions/{frames_run}/io"))
    assert io.inputs["n"].kind == "scalar" and io.inputs["n"].value == 3
    assert io.inputs["n"].type == "int"
    assert io.inputs["settings"].kind == "json"
    assert io.inputs["settings"].value == {"factor": 2, "label": "x"}
    assert io.inputs["settings"].type == "Settings"
    assert io.outputs["o0"].value == (0 + 1 + 2) * 2  # total age, doubled by `older`
    assert io.outputs["o1"].value == 4  # CSV lines: header and three people

    spec = wf_data.frames.spec
    older = next(n.id for n in spec.nodes if n.name == "older")
    node = IoView.model_validate(_get(home_client, f"/executions/{frames_run}/nodes/{older}/io"))
    frame_in, frame_out = node.inputs["frame"], node.outputs["o0"]
    assert frame_in.kind == "dataframe" and frame_in.type == "DataFrame"
    assert frame_in.preview is not None and frame_in.preview.num_rows == 3
    assert [c.name for c in frame_in.preview.columns] == ["name", "age"]
    assert frame_in.preview.rows == [["p0", 0], ["p1", 1], ["p2", 2]]
    assert frame_out.preview is not None and frame_out.preview.rows == [
        ["p0", 0], ["p1", 2], ["p2", 4]]
    assert node.inputs["settings"].value == {"factor": 2, "label": "x"}

    # the frame downloads as the Parquet file it is
    assert frame_out.download is not None
    response = home_client.get(frame_out.download)
    assert response.status_code == 200
    assert response.content[:4] == b"PAR1" and len(response.content) == frame_out.size
    assert "attachment" in response.headers["content-disposition"]

    to_csv = next(n.id for n in spec.nodes if n.name == "to_csv")
    csv = IoView.model_validate(_get(home_client, f"/executions/{frames_run}/nodes/{to_csv}/io"))
    report = csv.outputs["o0"]
    assert report.kind == "file" and report.type == "File" and report.download is not None
    download = home_client.get(report.download)
    assert download.status_code == 200
    assert download.text.splitlines() == ["name,age", "p0,0", "p1,2", "p2,4"]
    assert 'filename="people.csv"' in download.headers["content-disposition"]


def test_blob_downloads_refuse_what_is_not_in_the_store(
    home_client: TestClient, frames_run: str, local_home: str, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the API")
    refused = home_client.get(f"{API}/blobs", params={"uri": str(secret)})
    assert refused.status_code == 400 and "not in this server's blob store" in refused.text
    escaping = home_client.get(
        f"{API}/blobs", params={"uri": f"{local_home}/blobs/../../secret.txt"})
    assert escaping.status_code == 400
    missing = home_client.get(f"{API}/blobs", params={"uri": f"{local_home}/blobs/{frames_run}/x"})
    assert missing.status_code == 404 and "no blob" in missing.json()["message"]
    assert home_client.get(f"{API}/blobs").status_code == 422


def test_a_directory_downloads_as_a_zip(home_client: TestClient, local_home: str) -> None:
    import io
    import zipfile

    folder = Path(local_home) / "blobs" / "ex" / "n0" / "1" / "report"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("A")
    (folder / "sub" / "b.txt").write_text("B")
    response = home_client.get(f"{API}/blobs", params={"uri": str(folder)})
    assert response.status_code == 200
    assert 'filename="report.zip"' in response.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["a.txt", "sub/b.txt"]
    assert archive.read("sub/b.txt") == b"B"


def test_unknown_executions_and_nodes_are_404(home_client: TestClient, frames_run: str) -> None:
    for path in ("graph", "timeline", "io", "nodes/n0/io"):
        body = _get(home_client, f"/executions/nope/{path}", 404)
        assert "nope" in body["message"]
    body = _get(home_client, f"/executions/{frames_run}/nodes/n99/io", 404)
    assert "n99" in body["message"] and "n0" in body["message"]
    body = _get(home_client, f"/executions/{frames_run}/nodes/n0/elements", 400)
    assert "not a map" in body["message"]


# -- nested nodes, maps, retries and cache hits, recorded as the engine records them ----------

T0 = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _square_task() -> TaskSpec:
    return TaskSpec(
        name="demo.square", entry_point="demo:square",
        interface=Interface(inputs={"x": Parameter(INT)}, outputs={"o0": INT}),
    )


def _composite_spec() -> WorkflowSpec:
    """square(x) -> sub(y) [square -> square]; map square over xs; cached square(2); and a
    conditional on the subworkflow's output with two arms."""
    square = _square_task()
    sub = WorkflowSpec(
        name="demo.sub",
        interface=Interface(inputs={"y": Parameter(INT)}, outputs={"o0": INT}),
        nodes=(
            NodeSpec(id="n0", task=square.name, name="square", inputs={"x": InputRef("y")}),
            NodeSpec(id="n1", task=square.name, name="square", upstream=("n0",),
                     inputs={"x": OutputRef("n0", "o0")}),
        ),
        outputs={"o0": OutputRef("n1", "o0")},
        tasks={square.name: square},
    )
    arm = NodeSpec(id="n4-0", task=square.name, name="big", inputs={"x": OutputRef("n1", "o0")})
    other = NodeSpec(id="n4-1", task=square.name, name="small", inputs={"x": ValueBinding(
        Scalar(0))})
    return WorkflowSpec(
        name="demo.top",
        interface=Interface(
            inputs={"x": Parameter(INT), "xs": Parameter(LiteralType("list", (INT,)))},
            outputs={"o0": INT},
        ),
        nodes=(
            NodeSpec(id="n0", task=square.name, name="square", inputs={"x": InputRef("x")}),
            NodeSpec(id="n1", task="", name="sub", kind="subworkflow", workflow=sub.name,
                     inputs={"y": OutputRef("n0", "o0")}, upstream=("n0",)),
            NodeSpec(id="n2", task=square.name, name="squares", kind="map",
                     map=MapSpec(mapped=("x",)), inputs={"x": InputRef("xs")}),
            NodeSpec(id="n3", task=square.name, name="cached", inputs={"x": ValueBinding(
                Scalar(2))}),
            NodeSpec(id="n4", task="", name="pick", kind="branch", upstream=("n1",), cases=(
                BranchCase(condition=Comparison(">", OutputRef("n1", "o0"),
                                                ValueBinding(Scalar(5))), node=arm),
                BranchCase(node=other),
            )),
        ),
        outputs={"o0": OutputRef("n4-0", "o0")},
        tasks={square.name: square},
        subworkflows={sub.name: sub},
    )


def _ran(node_id: str, name: str, start: float, end: float, output: int, *,
         parent: str | None = None, attempts: tuple[Outcome, ...] = (Outcome.SUCCEEDED,),
         **fields: Any) -> NodeExecution:
    history = [
        TaskAttempt(attempt=i + 1, outcome=outcome, started_at=_at(start + i),
                    ended_at=_at(end if i == len(attempts) - 1 else start + i + 0.5),
                    error=None if outcome == Outcome.SUCCEEDED else ErrorInfo(outcome.value, "no"))
        for i, outcome in enumerate(attempts)
    ]
    return NodeExecution(
        node_id=node_id, name=name, phase=NodePhase.SUCCEEDED, attempts=len(attempts),
        started_at=_at(start), ended_at=_at(end), duration_s=end - start, history=history,
        outputs={"o0": Scalar(output)}, parent=parent, **fields,
    )


def _batch(batch: int, indices: list[int], start: float, failed: int | None = None) -> MapBatch:
    outcomes: list[Outcome | None] = [
        Outcome.USER_ERROR if i == failed else Outcome.SUCCEEDED for i in indices]
    return MapBatch(
        node_id="n2", batch=batch, indices=indices, attempts=[1] * len(indices),
        outcomes=outcomes,
        outputs=[None if i == failed else {"o0": Scalar(i * i)} for i in indices],
        errors=[ErrorInfo("USER_ERROR", f"element {i} failed") if i == failed else None
                for i in indices],
        started_at=_at(start).timestamp(), ended_at=_at(start + 1).timestamp(),
    )


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqlMetadataStore]:
    store = SqlMetadataStore(f"sqlite:///{tmp_path / 'views.db'}")
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def views_client(sqlite_store: SqlMetadataStore, tmp_path: Path) -> Iterator[TestClient]:
    blobs = BlobStore(str(tmp_path / "blobs"))
    with TestClient(create_app(sqlite_store, blobs, None, home=str(tmp_path / "h"))) as c:
        yield c


def _create(store: SqlMetadataStore, spec: WorkflowSpec) -> str:
    spec_hash = content_hash(spec)
    store.put_workflow_spec(spec_hash, spec)
    execution_id = f"ex-{uuid.uuid4().hex[:10]}"
    store.create_execution(
        Execution(id=execution_id, workflow=spec.name, spec_hash=spec_hash,
                  inputs={"x": Scalar(3), "xs": Scalar(None)}, created_at=T0),
        [NodeExecution(node_id=n.id, name=n.name, kind=n.kind) for n in spec.nodes],
    )
    return execution_id


@pytest.fixture
def composite(sqlite_store: SqlMetadataStore) -> str:
    """An execution of `_composite_spec` that ended: what the engine would have recorded."""
    from updraft.model import Collection

    spec = _composite_spec()
    execution_id = _create(sqlite_store, spec)
    ended = Execution(
        id=execution_id, workflow=spec.name, spec_hash=content_hash(spec),
        inputs={"x": Scalar(3), "xs": Collection(tuple(Scalar(i) for i in range(5)))},
        phase=ExecutionPhase.SUCCEEDED, created_at=T0, started_at=_at(0), ended_at=_at(20),
        outputs={"o0": Scalar(6561 ** 2)},
    )
    nodes = [
        _ran("n0", "square", 0, 2, 9, attempts=(Outcome.USER_ERROR, Outcome.SUCCEEDED)),
        _ran("n1-0", "square", 3, 4, 81, parent="n1"),
        _ran("n1-1", "square", 4, 5, 6561, parent="n1"),
        NodeExecution(node_id="n1", name="sub", kind="subworkflow", phase=NodePhase.SUCCEEDED,
                      started_at=_at(3), ended_at=_at(5), outputs={"o0": Scalar(6561)}),
        NodeExecution(node_id="n2", name="squares", kind="map", phase=NodePhase.SUCCEEDED,
                      started_at=_at(0), ended_at=_at(2),
                      elements=ElementCounts(total=5, succeeded=4, failed=1)),
        NodeExecution(node_id="n3", name="cached", phase=NodePhase.SUCCEEDED,
                      cache=CacheStatus.HIT, started_at=_at(1), ended_at=_at(1.01),
                      outputs={"o0": Scalar(4)}),
        _ran("n4-0", "big", 6, 7, 6561 ** 2, parent="n4"),
        NodeExecution(node_id="n4-1", name="small", parent="n4", phase=NodePhase.SKIPPED,
                      ended_at=_at(6)),
        NodeExecution(node_id="n4", name="pick", kind="branch", phase=NodePhase.SUCCEEDED,
                      started_at=_at(6), ended_at=_at(7)),
    ]
    sqlite_store.commit_tick(Tick(
        execution_id, execution=ended, nodes=nodes,
        batches=[_batch(0, [0, 1, 2], 0.0), _batch(1, [3, 4], 0.5, failed=3)],
    ))
    return execution_id


def test_graph_shows_children_and_collapses_maps(views_client: TestClient, composite: str) -> None:
    graph = ExecutionGraph.model_validate(_get(views_client, f"/executions/{composite}/graph"))
    nodes = {n.id: n for n in graph.nodes}
    assert [n.id for n in graph.nodes] == [
        "n0", "n1", "n1-0", "n1-1", "n2", "n3", "n4", "n4-0", "n4-1"]
    assert [nodes[i].kind for i in ("n0", "n1", "n2", "n4")] == [
        "task", "subworkflow", "map", "branch"]
    assert nodes["n1"].child_count == 2 and not nodes["n1"].collapsed
    assert nodes["n1-0"].parent == nodes["n1-1"].parent == "n1"
    assert nodes["n4"].child_count == 2
    assert (nodes["n4-0"].phase, nodes["n4-1"].phase) == ("SUCCEEDED", "SKIPPED")
    assert nodes["n2"].collapsed and nodes["n2"].child_count == 5
    assert nodes["n2"].elements is not None and nodes["n2"].elements.failed == 1
    assert nodes["n0"].attempts == 2 and nodes["n3"].cache == "hit"
    edges = {(e.source, e.target) for e in graph.edges}
    assert edges == {("n0", "n1"), ("n1-0", "n1-1"), ("n1", "n4")}


def test_graph_of_a_queued_execution_shows_the_nested_workflow_waiting(
    views_client: TestClient, sqlite_store: SqlMetadataStore
) -> None:
    execution_id = _create(sqlite_store, _composite_spec())
    graph = ExecutionGraph.model_validate(_get(views_client, f"/executions/{execution_id}/graph"))
    assert [n.id for n in graph.nodes] == [
        "n0", "n1", "n1-0", "n1-1", "n2", "n3", "n4", "n4-0", "n4-1"]
    assert {n.phase for n in graph.nodes} == {"QUEUED"}
    assert {n.name for n in graph.nodes if n.parent == "n4"} == {"big", "small"}
    timeline = ExecutionTimeline.model_validate(
        _get(views_client, f"/executions/{execution_id}/timeline"))
    assert timeline.bars == [] and timeline.end is None and timeline.start == T0.timestamp()


def test_map_elements_page_by_page(views_client: TestClient, composite: str) -> None:
    first = MapElements.model_validate(
        _get(views_client, f"/executions/{composite}/nodes/n2/elements?limit=2"))
    assert first.total == 5 and [e.index for e in first.elements] == [0, 1]
    rest = MapElements.model_validate(
        _get(views_client, f"/executions/{composite}/nodes/n2/elements?offset=2&limit=10"))
    assert [e.index for e in rest.elements] == [2, 3, 4]
    failed = rest.elements[1]
    assert failed.phase == "FAILED" and failed.error == "element 3 failed"
    assert rest.elements[0].phase == "SUCCEEDED" and rest.elements[0].error is None
    assert all(e.duration_s == pytest.approx(1.0) and e.attempts == 1 for e in rest.elements)


def test_timeline_bars_per_attempt_batch_and_cache_hit(
    views_client: TestClient, composite: str
) -> None:
    timeline = ExecutionTimeline.model_validate(
        _get(views_client, f"/executions/{composite}/timeline"))
    by_node: dict[str, list[Any]] = {}
    for bar in timeline.bars:
        by_node.setdefault(bar.node_id, []).append(bar)
    assert sorted(by_node) == ["n0", "n1", "n1-0", "n1-1", "n2", "n3", "n4", "n4-0"]
    retried = by_node["n0"]
    assert [(b.attempt, b.outcome) for b in retried] == [(1, "USER_ERROR"), (2, "SUCCEEDED")]
    assert not any(b.span for b in retried)
    assert [(b.batch, b.elements, b.failed, b.outcome) for b in by_node["n2"]] == [
        (0, 3, 0, "SUCCEEDED"), (1, 2, 1, "USER_ERROR")]
    # the subworkflow and the conditional span the time their children ran, nothing more
    (sub,) = by_node["n1"]
    (pick,) = by_node["n4"]
    assert (sub.span, sub.attempt, sub.outcome) == (True, 0, "SUCCEEDED")
    assert (sub.start, sub.end) == (_at(3).timestamp(), _at(5).timestamp())
    assert pick.span and (pick.start, pick.end) == (_at(6).timestamp(), _at(7).timestamp())
    (hit,) = by_node["n3"]
    assert hit.cache and hit.outcome == "SUCCEEDED" and hit.attempt == 0
    assert by_node["n1-0"][0].parent == "n1"
    assert timeline.start == _at(0).timestamp() and timeline.end == _at(20).timestamp()


def test_inputs_of_nested_nodes_resolve_in_their_scope(
    views_client: TestClient, composite: str
) -> None:
    def inputs(node_id: str) -> dict[str, Any]:
        path = f"/executions/{composite}/nodes/{node_id}/io"
        io = IoView.model_validate(_get(views_client, path))
        return {k: (v.value, v.type) for k, v in io.inputs.items()}

    assert inputs("n1-0") == {"x": (9, "int")}  # the subworkflow's input y <- n0's output
    assert inputs("n1-1") == {"x": (81, "int")}  # its sibling's output
    assert inputs("n4-0") == {"x": (6561, "int")}  # the arm reads beside the conditional
    assert inputs("n2") == {"x": ([0, 1, 2, 3, 4], "list[int]")}  # mapped: a list
    assert inputs("n1") == {"y": (9, "int")}
    io = IoView.model_validate(_get(views_client, f"/executions/{composite}/nodes/n2/io"))
    assert io.outputs["o0"].type == "list[int]" and not io.outputs["o0"].available


def test_node_details_give_nested_nodes_the_inputs_the_io_view_shows(
    views_client: TestClient, composite: str
) -> None:
    def inputs(node_id: str) -> Any:
        return _get(views_client, f"/executions/{composite}/nodes/{node_id}")["inputs"]

    assert inputs("n1-0") == {"x": {"type": "scalar", "value": 9}}
    assert inputs("n1-1") == {"x": {"type": "scalar", "value": 81}}
    assert inputs("n4-0") == {"x": {"type": "scalar", "value": 6561}}
    assert inputs("n1") == {"y": {"type": "scalar", "value": 9}}


def test_composed_workflows_run_by_the_engine(home_client: TestClient, local_home: str) -> None:
    import wf_composed

    def run(wf: Any, inputs: dict[str, Any]) -> str:
        result = run_entity(wf, inputs, executor="inline", home=local_home)
        assert result.succeeded
        return result.execution.id

    mapped = run(wf_composed.squares, {"xs": list(range(7))})
    graph = ExecutionGraph.model_validate(_get(home_client, f"/executions/{mapped}/graph"))
    (map_node,) = [n for n in graph.nodes if n.kind == "map"]
    assert map_node.collapsed and map_node.child_count == 7 and len(graph.nodes) == 2
    page = MapElements.model_validate(_get(
        home_client, f"/executions/{mapped}/nodes/{map_node.id}/elements?offset=5"))
    assert page.total == 7 and [e.index for e in page.elements] == [5, 6]
    assert all(e.phase == "SUCCEEDED" for e in page.elements)
    io = IoView.model_validate(_get(home_client, f"/executions/{mapped}/nodes/{map_node.id}/io"))
    assert io.outputs["o0"].value == [i * i for i in range(7)]
    timeline = ExecutionTimeline.model_validate(
        _get(home_client, f"/executions/{mapped}/timeline"))
    batches = [b for b in timeline.bars if b.node_id == map_node.id]
    assert batches and sum(b.elements or 0 for b in batches) == 7

    nested = run(wf_composed.outer, {"a": 3})
    graph = ExecutionGraph.model_validate(_get(home_client, f"/executions/{nested}/graph"))
    children = [n for n in graph.nodes if n.parent == "n1"]
    assert [n.name for n in children] == ["square", "scale"]
    inner_square = IoView.model_validate(
        _get(home_client, f"/executions/{nested}/nodes/{children[0].id}/io"))
    assert inner_square.inputs["x"].value == 3 * 3 * 2  # outer's first inner(a=3) gave 18

    planned = run(wf_composed.with_plan, {"a": 2})
    graph = ExecutionGraph.model_validate(_get(home_client, f"/executions/{planned}/graph"))
    (plan_node,) = [n for n in graph.nodes if n.kind == "launchplan"]
    assert plan_node.child_execution is not None
    child = _get(home_client, f"/executions/{plan_node.child_execution}")
    assert child["execution"]["phase"] == "SUCCEEDED"
    timeline = ExecutionTimeline.model_validate(
        _get(home_client, f"/executions/{planned}/timeline"))
    assert [b.outcome for b in timeline.bars if b.node_id == plan_node.id] == ["SUCCEEDED"]


def test_a_conditional_that_failed_before_any_arm_ran_has_a_span(
    home_client: TestClient, local_home: str
) -> None:
    import wf_composed

    result = run_entity(wf_composed.strict_pick, {"x": -1.0}, executor="inline", home=local_home)
    assert not result.succeeded
    execution_id = result.execution.id
    graph = ExecutionGraph.model_validate(_get(home_client, f"/executions/{execution_id}/graph"))
    (branch,) = [n for n in graph.nodes if n.kind == "branch"]
    timeline = ExecutionTimeline.model_validate(
        _get(home_client, f"/executions/{execution_id}/timeline"))
    (span,) = [b for b in timeline.bars if b.node_id == branch.id]
    assert span.span and span.outcome == "FAILED" and span.attempt == 0
    assert span.end is not None and span.start <= span.end
    assert not any(b.span for b in timeline.bars if b.node_id != branch.id)  # tasks: attempts


# -- launch forms ------------------------------------------------------------------------------


def test_the_launch_form_of_a_workflow_and_of_a_plan(
    client: TestClient, project: str
) -> None:
    plan = LaunchPlanSpec(name="shapes_fixed", workflow=wf_basic.shapes.spec.name,
                          default_inputs={"a": Scalar(10)}, fixed_inputs={"b": Scalar(5)})
    body = registration_body(project, "v1", workflows=(wf_basic.shapes, wf_data.frames),
                             launch_plans=(plan,))
    assert client.post(f"{API}/register", json=body).status_code == 200
    shapes = wf_basic.shapes.spec.name

    form = LaunchForm.model_validate(_get(
        client, f"/workflows/{project}/development/{shapes}/v1/form"))
    fields = {f.name: f for f in form.inputs}
    assert [f.name for f in form.inputs] == ["a", "b"]
    assert fields["a"].kind == "integer" and fields["a"].type == "int"
    assert fields["a"].default == 7 and not fields["a"].required and not fields["a"].fixed
    assert form.request == {"project": project, "domain": "development", "version": "v1",
                            "workflow": shapes}

    frames = LaunchForm.model_validate(_get(
        client, f"/workflows/{project}/development/{wf_data.frames.spec.name}/v1/form"))
    settings = next(f for f in frames.inputs if f.name == "settings")
    assert settings.kind == "json" and settings.default == {"factor": 2, "label": "x"}
    assert settings.literal_type["kind"] == "struct"

    planned = LaunchForm.model_validate(_get(
        client, f"/launch_plans/{project}/development/shapes_fixed/v1/form"))
    fields = {f.name: f for f in planned.inputs}
    assert fields["a"].default == 10 and not fields["a"].fixed
    assert fields["b"].fixed and fields["b"].default == 5
    assert planned.launch_plan == "shapes_fixed" and planned.workflow == shapes

    # what the form sends: a bad value is refused naming the input and its type
    bad = client.post(f"{API}/executions", json={**planned.request, "inputs": {"a": "ten"}})
    assert bad.status_code == 400
    assert "'a'" in bad.json()["message"] and "int" in bad.json()["message"]
    good = client.post(f"{API}/executions", json={**planned.request, "inputs": {"a": 11}})
    assert good.status_code == 201, good.text
    assert good.json()["execution"]["inputs"]["b"]["value"] == 5

    missing = _get(client, f"/launch_plans/{project}/development/nope/v1/form", 404)
    assert "nope" in missing["message"]
    assert _get(client, f"/workflows/{project}/qa/{shapes}/v1/form", 400)


# -- the executions list -----------------------------------------------------------------------


def test_executions_list_filters_pages_and_summaries(
    client: TestClient, store: SqlMetadataStore, project: str
) -> None:
    made = []
    for i in range(5):
        execution = Execution(
            id=f"ex-{uuid.uuid4().hex[:10]}", workflow="wf.a" if i % 2 == 0 else "wf.b",
            spec_hash="h", inputs={"seed": Scalar(i), "ratio": Scalar(0.33),
                                   "name": Scalar("x" * 40)},
            project=project, created_at=T0 + timedelta(hours=i),
            launched_by="schedule" if i == 4 else "cli",
        )
        store.create_execution(execution, [])
        made.append(execution.id)

    def page(**params: Any) -> ExecutionPage:
        return ExecutionPage.model_validate(
            _get(client, "/executions?" + "&".join(
                f"{k}={v}" for k, v in {"project": project, **params}.items())))

    everything = page()
    assert [e.id for e in everything.executions] == made[::-1] and not everything.has_more
    newest = everything.executions[0]
    assert newest.launched_by == "schedule"
    assert newest.inputs_summary.startswith("seed=4, ratio=0.33, name=\"xxx")
    assert len(newest.inputs_summary) <= 80

    assert [e.id for e in page(workflow="wf.b").executions] == [made[3], made[1]]
    window = page(created_after=(T0 + timedelta(hours=1)).isoformat().replace("+", "%2B"),
                  created_before="2025-06-01T15:00:00")
    assert [e.id for e in window.executions] == [made[2], made[1]]

    first, second = page(limit=2), page(limit=2, offset=2)
    last = page(limit=2, offset=4)
    assert first.has_more and second.has_more and not last.has_more
    assert [e.id for p in (first, second, last) for e in p.executions] == made[::-1]

    backwards = client.get(f"{API}/executions", params={
        "created_after": "2025-06-02T00:00:00", "created_before": "2025-06-01T00:00:00"})
    assert backwards.status_code == 400 and "created_after" in backwards.json()["message"]


# -- the console app ---------------------------------------------------------------------------


def test_every_page_path_serves_the_app_and_api_paths_stay_json(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    static = tmp_path / "static"
    (static / "vendor").mkdir(parents=True)
    (static / "index.html").write_text("<!doctype html><title>updraft console</title>")
    (static / "vendor" / "lib.js").write_text("// vendored")
    monkeypatch.setattr(console_routes, "STATIC_DIR", static)

    for path in ("/", "/console", "/console/executions/abc"):
        page = client.get(path)
        assert page.status_code == 200 and "updraft console" in page.text, path
        assert page.headers["content-type"].startswith("text/html")
    unknown = client.get(f"{API}/no-such-route")
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"


def test_a_package_without_its_console_says_how_to_build_it(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "index.html").write_text("<!doctype html>")
    monkeypatch.setattr(console_routes, "STATIC_DIR", static)
    page = client.get("/")
    assert page.status_code == 503 and "npm" in page.text and "pip install" in page.text
    assert "vendor" in page.text
    (static / "index.html").unlink()
    assert "index.html" in client.get("/console/x").text


def test_static_files_and_pages_need_no_token_but_the_api_does(
    store: SqlMetadataStore, blobs: BlobStore, home: str
) -> None:
    app = create_app(store, blobs, None, token="s3cret", home=home)
    with TestClient(app) as c:
        assert c.get("/").status_code == 200
        assert c.get("/console/executions/x").status_code == 200
        assert c.get(f"{API}/executions").status_code == 401
        assert c.get(f"{API}/executions/x/graph").status_code == 401
        assert c.get(f"{API}/blobs", params={"uri": "/etc/passwd"}).status_code == 401
        ok = c.get(f"{API}/executions", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200


def test_the_vendored_libraries_are_installed_and_served(client: TestClient) -> None:
    """The package carries the console: the build hook ran `npm ci` and copied the libraries
    that console/package.json lists under "updraftVendor"."""
    static = console_routes.STATIC_DIR
    assert console_routes.console_missing(static) is None, console_routes.console_missing(static)
    names = msgspec.json.decode(
        (Path(__file__).parents[2] / "console" / "package.json").read_bytes()
    )["updraftVendor"]
    assert names
    for name in names:
        served = client.get(f"/static/vendor/{name}")
        assert served.status_code == 200, name
        assert served.content == (static / "vendor" / name).read_bytes()
