"""Executions over the REST API without an engine: launching with input checks, listing,
relaunch, recover, terminate, nodes, logs and the event stream of a finished execution.

Runs that end are recorded straight in the store here; test_server_e2e.py runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import msgspec
import pytest
import wf_basic
from fastapi.testclient import TestClient

from tests.server.conftest import registration_body
from updraft.model import (
    ErrorInfo,
    Event,
    ExecutionPhase,
    LaunchPlanSpec,
    NodePhase,
    Scalar,
    TaskAttempt,
)
from updraft.server import EngineService, create_app
from updraft.store import BlobStore, SqlMetadataStore, Tick

API = "/api/v1"
CHAIN = wf_basic.chain.spec.name
SHAPES = wf_basic.shapes.spec.name


def launch(client: TestClient, project: str, **body: object) -> dict:  # type: ignore[type-arg]
    response = client.post(f"{API}/executions",
                           json={"project": project, "domain": "development", **body})
    assert response.status_code == 201, response.text
    return response.json()


def test_launch_records_a_queued_execution_with_typed_inputs(
    client: TestClient, registered: str, home: str
) -> None:
    doc = launch(client, registered, workflow=SHAPES, inputs={"a": 9},
                 labels={"team": "ml"}, max_parallelism=2)
    execution = doc["execution"]
    assert execution["phase"] == "QUEUED"
    assert execution["launched_by"] == "api"
    # given < workflow default: a=9 given, b=2 from the default
    assert execution["inputs"] == {"a": {"type": "scalar", "value": 9},
                                   "b": {"type": "scalar", "value": 2}}
    assert execution["workflow_id"]["version"] == "v1"
    assert execution["launch_plan"]["name"] == SHAPES
    assert execution["labels"] == {"team": "ml"} and execution["max_parallelism"] == 2
    assert execution["name"] == execution["id"]
    # the code package was extracted under the home, and the workers import from there
    (code_path,) = execution["code_paths"]
    assert code_path.startswith(str(Path(home) / "envs" / "code"))
    assert (Path(code_path) / "wf_basic.py").is_file()
    assert [n["node_id"] for n in doc["nodes"]] == [n.id for n in wf_basic.shapes.spec.nodes]
    # GET returns the same document
    got = client.get(f"{API}/executions/{execution['id']}")
    assert got.json() == doc


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"workflow": SHAPES, "inputs": {"c": 1}}, ["no input(s) ['c']", "a (int)"]),
        ({"workflow": SHAPES, "inputs": {"a": "seven"}}, ["'a'", "expects int", "seven"]),
        ({"workflow": SHAPES, "inputs": {"a": True}}, ["'a'", "expects int"]),
        ({"workflow": "nope"}, ["'nope'", "updraft register"]),
        ({"workflow": SHAPES, "launch_plan": SHAPES}, ["exactly one"]),
        ({"workflow": SHAPES, "domain": "qa"}, ["'qa'", "development"]),
        ({"workflow": SHAPES, "version": "v9"}, ["v9"]),
        ({"workflow": SHAPES, "max_parallelism": 0}, ["max_parallelism"]),
        ({"workflow": SHAPES, "inputs": []}, ["inputs"]),
    ],
)
def test_bad_launches_are_4xx_naming_the_problem(
    client: TestClient, registered: str, body: dict, expected: list[str]  # type: ignore[type-arg]
) -> None:
    response = client.post(f"{API}/executions",
                           json={"project": registered, "domain": "development", **body})
    assert 400 <= response.status_code < 500, response.text
    for part in expected:
        assert part in response.json()["message"]


def test_missing_required_and_fixed_inputs(client: TestClient, project: str) -> None:
    import wf_failing

    x = wf_basic.chain.spec.interface.inputs["x"]
    plan = LaunchPlanSpec(name="fixed", workflow=CHAIN, fixed_inputs={"x": Scalar(3)})
    body = registration_body(project, "v1", launch_plans=(plan,))
    assert client.post(f"{API}/register", json=body).status_code == 200
    r = client.post(f"{API}/executions", json={"project": project, "domain": "development",
                                               "launch_plan": "fixed", "inputs": {"x": 1}})
    assert r.status_code == 400
    assert "fixes input(s) ['x']" in r.json()["message"]
    doc = launch(client, project, launch_plan="fixed")
    assert doc["execution"]["inputs"]["x"] == {"type": "scalar", "value": 3}
    assert x.has_default

    # a workflow input without a default is required
    class NoDefault:
        spec = msgspec.structs.replace(
            wf_failing.failing.spec,
            interface=msgspec.structs.replace(
                wf_failing.failing.spec.interface,
                inputs={"x": msgspec.structs.replace(x, default=None, has_default=False)},
            ),
        )

    body = registration_body(project, "v2", (NoDefault,))
    assert client.post(f"{API}/register", json=body).status_code == 200
    r = client.post(f"{API}/executions", json={"project": project, "domain": "development",
                                               "workflow": NoDefault.spec.name})
    assert r.status_code == 400
    assert "needs input(s) 'x' (int)" in r.json()["message"]


def test_names_are_unique_per_project_and_domain(client: TestClient, registered: str) -> None:
    first = launch(client, registered, workflow=CHAIN, name="nightly-1")
    assert first["execution"]["name"] == "nightly-1"
    again = client.post(f"{API}/executions", json={
        "project": registered, "domain": "development", "workflow": CHAIN, "name": "nightly-1"})
    assert again.status_code == 409
    assert "nightly-1" in again.json()["message"]


def test_list_filters_and_pagination(client: TestClient, registered: str) -> None:
    ids = [launch(client, registered, workflow=CHAIN, inputs={"x": i},
                  labels={"run": str(i % 2)})["execution"]["id"] for i in range(5)]
    base = {"project": registered, "domain": "development"}
    listed = client.get(f"{API}/executions", params=base).json()["executions"]
    assert [e["id"] for e in listed] == ids[::-1]
    page = client.get(f"{API}/executions", params={**base, "limit": 2, "offset": 1}).json()
    assert [e["id"] for e in page["executions"]] == ids[::-1][1:3]
    odd = client.get(f"{API}/executions", params={**base, "label": "run=1"}).json()
    assert sorted(e["id"] for e in odd["executions"]) == sorted([ids[1], ids[3]])
    queued = client.get(f"{API}/executions", params={**base, "phase": ["QUEUED"]}).json()
    assert len(queued["executions"]) == 5
    done = client.get(f"{API}/executions", params={**base, "phase": "SUCCEEDED"}).json()
    assert done["executions"] == []
    named = client.get(f"{API}/executions", params={**base, "name": ids[2]}).json()
    assert [e["id"] for e in named["executions"]] == [ids[2]]
    bad = client.get(f"{API}/executions", params={**base, "phase": "DONE"})
    assert bad.status_code == 400 and "DONE" in bad.json()["message"]
    bad = client.get(f"{API}/executions", params={**base, "label": "nolabel"})
    assert bad.status_code == 400 and "KEY=VALUE" in bad.json()["message"]


def test_unknown_executions_are_404(client: TestClient) -> None:
    for method, path in [("get", "/executions/nope1"), ("post", "/executions/nope1/relaunch"),
                         ("post", "/executions/nope1/recover"),
                         ("get", "/executions/nope1/logs"), ("get", "/executions/nope1/events"),
                         ("get", "/executions/nope1/nodes/n0"),
                         ("post", "/executions/nope1/terminate")]:
        response = getattr(client, method)(f"{API}{path}")
        assert response.status_code == 404, (path, response.text)
        assert "nope1" in response.json()["message"]


def _finish(store: SqlMetadataStore, execution_id: str, failed_from: int) -> None:
    """Record the chain execution as ended: nodes before ``failed_from`` SUCCEEDED (each
    output x+1 of 0), that node FAILED, the rest left QUEUED."""
    execution = store.get_execution(execution_id)
    now = datetime.now(UTC)
    nodes = store.get_nodes(execution_id)
    events = []
    for i, node in enumerate(nodes[: failed_from + 1]):
        node.attempts = 1
        node.started_at, node.ended_at = now, now
        if i < failed_from:
            node.phase = NodePhase.SUCCEEDED
            node.outputs = {"o0": Scalar(i + 1)}
        else:
            node.phase = NodePhase.FAILED
            node.error = ErrorInfo(kind="USER_ERROR", message="boom",
                                   traceback="Traceback: boom happened")
        node.history = [TaskAttempt(attempt=1, outcome=None, log_uri="", error=node.error)]
        events.append(Event(execution_id, node.phase.value, now.timestamp(), node.node_id, 1))
    phase = ExecutionPhase.FAILED if failed_from < len(nodes) else ExecutionPhase.SUCCEEDED
    ended = msgspec.structs.replace(execution, phase=phase, started_at=now, ended_at=now)
    events.append(Event(execution_id, phase.value, now.timestamp()))
    store.commit_tick(Tick(execution_id, execution=ended, nodes=nodes[: failed_from + 1],
                           events=events))


def test_recover_reuses_the_outputs_of_succeeded_nodes(
    client: TestClient, registered: str, store: SqlMetadataStore
) -> None:
    doc = launch(client, registered, workflow=CHAIN, inputs={"x": 0}, labels={"k": "v"})
    old = doc["execution"]["id"]
    early = client.post(f"{API}/executions/{old}/recover")
    assert early.status_code == 409 and "QUEUED" in early.json()["message"]
    _finish(store, old, failed_from=2)

    recovered = client.post(f"{API}/executions/{old}/recover")
    assert recovered.status_code == 201, recovered.text
    new = recovered.json()
    assert new["execution"]["launched_by"] == "recover"
    assert new["execution"]["source"] == old
    assert new["execution"]["id"] != old
    assert new["execution"]["inputs"] == doc["execution"]["inputs"]
    assert new["execution"]["labels"] == {"k": "v"}
    phases = [n["phase"] for n in new["nodes"]]
    assert phases == ["RECOVERED", "RECOVERED", "QUEUED", "QUEUED", "QUEUED"]
    assert new["nodes"][1]["outputs"] == {"o0": {"type": "scalar", "value": 2}}

    relaunched = client.post(f"{API}/executions/{old}/relaunch").json()
    assert relaunched["execution"]["launched_by"] == "relaunch"
    assert relaunched["execution"]["source"] == old
    assert relaunched["execution"]["inputs"] == doc["execution"]["inputs"]
    assert {n["phase"] for n in relaunched["nodes"]} == {"QUEUED"}


def test_node_details_logs_and_events_of_an_ended_execution(
    client: TestClient, registered: str, store: SqlMetadataStore
) -> None:
    execution_id = launch(client, registered, workflow=CHAIN, inputs={"x": 0})["execution"]["id"]
    _finish(store, execution_id, failed_from=2)

    node = client.get(f"{API}/executions/{execution_id}/nodes/n1").json()
    assert node["node"]["phase"] == "SUCCEEDED"
    assert node["inputs"] == {"x": {"type": "scalar", "value": 1}}  # n0's output
    assert node["outputs"] == {"o0": {"type": "scalar", "value": 2}}
    missing = client.get(f"{API}/executions/{execution_id}/nodes/n99")
    assert missing.status_code == 404 and "n99" in missing.json()["message"]

    logs = client.get(f"{API}/executions/{execution_id}/logs", params={"node": "n2"})
    assert logs.status_code == 200
    assert "node n2" in logs.text and "boom" in logs.text and "Traceback: boom" in logs.text

    with client.stream("GET", f"{API}/executions/{execution_id}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        text = "".join(stream.iter_text())
    blocks = [b for b in text.split("\n\n") if b]
    assert blocks[-1].startswith("event: end")
    assert '"phase":"FAILED"' in blocks[-1]
    data = [b.split("data: ", 1)[1] for b in blocks[:-1]]
    phases = [msgspec.json.decode(d)["phase"] for d in data]
    assert phases == ["SUCCEEDED", "SUCCEEDED", "FAILED", "FAILED"]
    # a client that saw two events resumes after them
    with client.stream("GET", f"{API}/executions/{execution_id}/events",
                       headers={"Last-Event-ID": "2"}) as stream:
        rest = "".join(stream.iter_text())
    assert rest.startswith("id: 3\n")


def test_terminate(store: SqlMetadataStore, blobs: BlobStore, home: str, registered: str,
                   client: TestClient) -> None:
    execution_id = launch(client, registered, workflow=CHAIN)["execution"]["id"]
    no_engine = client.post(f"{API}/executions/{execution_id}/terminate")
    assert no_engine.status_code == 503
    engine = EngineService(store, blobs)  # not started: records the abort itself
    with TestClient(create_app(store, blobs, engine, home=home)) as c:
        r = c.post(f"{API}/executions/{execution_id}/terminate", json={"reason": "stop it"})
        assert r.status_code == 200, r.text
        assert r.json()["execution"]["phase"] == "ABORTED"
        again = c.post(f"{API}/executions/{execution_id}/terminate")
        assert again.status_code == 409 and "ABORTED" in again.json()["message"]


def test_token_is_required_when_set(store: SqlMetadataStore, blobs: BlobStore,
                                    home: str) -> None:
    app = create_app(store, blobs, None, token="s3cret", home=home)
    with TestClient(app) as c:
        none = c.get(f"{API}/projects")
        assert none.status_code == 401
        assert "Authorization: Bearer" in none.json()["message"]
        wrong = c.get(f"{API}/projects", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and "wrong" in wrong.json()["message"]
        assert c.get(f"{API}/openapi.json").status_code == 401
        ok = c.get(f"{API}/projects", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200


@pytest.mark.parametrize("hostile", ["\u0000", "\ud800x", "'; DROP TABLE executions; --"])
def test_hostile_strings_are_stored_or_refused_never_a_500(
    client: TestClient, registered: str, hostile: str
) -> None:
    body = {"project": registered, "domain": "development", "workflow": SHAPES,
            "labels": {"k": hostile, hostile: "v"}}
    headers = {"Content-Type": "application/json"}
    # json.dumps escapes what UTF-8 cannot carry (a lone surrogate) as JSON does
    response = client.post(f"{API}/executions", content=json.dumps(body), headers=headers)
    assert response.status_code in (201, 400, 422), response.text
    label = f"k={hostile}".encode("utf-8", "surrogatepass")
    listed = client.get(f"{API}/executions?project={registered}&label={quote(label)}")
    assert listed.status_code in (200, 400, 422), listed.text
    body = {"id": "x", "description": hostile}
    r = client.post(f"{API}/projects", content=json.dumps(body), headers=headers)
    assert r.status_code in (201, 400, 422), r.text


def test_the_event_stream_of_a_quiet_execution_sends_heartbeats(
    client: TestClient, registered: str
) -> None:
    # Writing is how the server notices a client that went away; a stream that only wrote
    # on news would hold its thread for as long as the execution stays quiet.
    execution_id = launch(client, registered, workflow=SHAPES, inputs={"a": 1})["execution"]["id"]
    reader = client.app.state.services.reader  # type: ignore[attr-defined]

    chunks = list(reader.events(execution_id, poll_s=0.01, timeout_s=1.0, heartbeat_s=0.2))

    heartbeats = [c for c in chunks if c.startswith(":")]
    assert len(heartbeats) >= 3, chunks
    assert all(c.endswith("\n\n") for c in heartbeats)
