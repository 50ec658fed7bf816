"""Executions that really run: the application with the engine service and worker processes,
launching registered workflows whose code comes from the registered package."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import wf_basic
from fastapi.testclient import TestClient

from tests.server.conftest import registration_body
from tests.server.test_executions_api import _finish
from updraft.server import EngineService, create_app
from updraft.store import BlobStore, SqlMetadataStore

API = "/api/v1"


@pytest.fixture
def live(store: SqlMetadataStore, blobs: BlobStore, home: str) -> Iterator[TestClient]:
    """A client of an application whose engine runs executions in worker processes."""
    engine = EngineService(store, blobs, lease_s=5.0, poll_s=0.2)
    engine.start()
    try:
        with TestClient(create_app(store, blobs, engine, home=home)) as c:
            yield c
    finally:
        engine.stop()


def _wait(client: TestClient, execution_id: str, timeout_s: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        doc: dict[str, Any] = client.get(f"{API}/executions/{execution_id}").json()
        if doc["execution"]["phase"] not in ("QUEUED", "RUNNING"):
            return doc
        assert time.monotonic() < deadline, f"execution {execution_id} did not end: {doc}"
        time.sleep(0.1)


def _register(client: TestClient, project: str) -> None:
    r = client.post(f"{API}/register", json=registration_body(project, "v1"))
    assert r.status_code == 200, r.text


def test_a_launched_workflow_runs_to_success(live: TestClient, project: str) -> None:
    _register(live, project)
    created = live.post(f"{API}/executions", json={
        "project": project, "domain": "development", "workflow": wf_basic.chain.spec.name,
        "inputs": {"x": 3}})
    assert created.status_code == 201, created.text
    execution_id = created.json()["execution"]["id"]

    with live.stream("GET", f"{API}/executions/{execution_id}/events") as stream:
        text = "".join(stream.iter_text())
    assert text.rstrip().endswith('"phase":"SUCCEEDED"}')  # the stream ends with the run

    doc = _wait(live, execution_id)
    assert doc["execution"]["phase"] == "SUCCEEDED", doc
    assert doc["execution"]["outputs"] == {"o0": {"type": "scalar", "value": 8}}
    assert [n["phase"] for n in doc["nodes"]] == ["SUCCEEDED"] * 5
    node = live.get(f"{API}/executions/{execution_id}/nodes/n4").json()
    assert node["inputs"] == {"x": {"type": "scalar", "value": 7}}
    assert node["node"]["history"][0]["outcome"] == "SUCCEEDED"
    logs = live.get(f"{API}/executions/{execution_id}/logs")
    assert logs.status_code == 200 and "node n0 (inc) attempt 1: SUCCEEDED" in logs.text


def test_a_recovered_execution_runs_only_what_had_not_succeeded(
    client: TestClient, project: str, store: SqlMetadataStore, blobs: BlobStore, home: str
) -> None:
    # recorded as failed at its third node while no engine runs
    _register(client, project)
    created = client.post(f"{API}/executions", json={
        "project": project, "domain": "development", "workflow": wf_basic.chain.spec.name,
        "inputs": {"x": 0}})
    old = created.json()["execution"]["id"]
    _finish(store, old, failed_from=2)

    engine = EngineService(store, blobs, lease_s=5.0, poll_s=0.2)
    engine.start()
    try:
        with TestClient(create_app(store, blobs, engine, home=home)) as live:
            recovered = live.post(f"{API}/executions/{old}/recover")
            assert recovered.status_code == 201, recovered.text
            doc = _wait(live, recovered.json()["execution"]["id"])
    finally:
        engine.stop()
    assert doc["execution"]["phase"] == "SUCCEEDED", doc
    assert doc["execution"]["outputs"] == {"o0": {"type": "scalar", "value": 5}}
    phases = [n["phase"] for n in doc["nodes"]]
    assert phases == ["RECOVERED", "RECOVERED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]
    assert [n["attempts"] for n in doc["nodes"]] == [0, 0, 1, 1, 1]
