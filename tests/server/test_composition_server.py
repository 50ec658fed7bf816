"""Maps, dynamic tasks, conditionals, subworkflows and launch plans run on the server the same
way they run with `updraft run`: same outputs, same node records, child executions linked."""

from __future__ import annotations

import time
from pathlib import Path

import wf_composed
from fastapi.testclient import TestClient

from tests._support import count_marks
from tests.server.conftest import registration_body
from tests.server.test_server_e2e import _wait, live  # noqa: F401  (the fixture)

API = "/api/v1"

WORKFLOWS = (
    wf_composed.squares, wf_composed.dynamic_sum, wf_composed.pick, wf_composed.outer,
    wf_composed.with_plan, wf_composed.tolerant,
)


def _launch(client: TestClient, project: str, wf: object, inputs: dict[str, object]) -> str:
    created = client.post(f"{API}/executions", json={
        "project": project, "domain": "development", "workflow": wf.spec.name,  # type: ignore[attr-defined]
        "inputs": inputs})
    assert created.status_code == 201, created.text
    execution_id: str = created.json()["execution"]["id"]
    return execution_id


def test_composed_workflows_run_on_the_server(live: TestClient, project: str) -> None:  # noqa: F811
    r = live.post(f"{API}/register", json=registration_body(project, "v1", WORKFLOWS))
    assert r.status_code == 200, r.text
    launched = {
        "map": _launch(live, project, wf_composed.squares, {"xs": list(range(200))}),
        "dynamic": _launch(live, project, wf_composed.dynamic_sum, {"n": 5}),
        "branch": _launch(live, project, wf_composed.pick, {"x": 0.3}),
        "sub": _launch(live, project, wf_composed.outer, {"a": 3}),
        "plan": _launch(live, project, wf_composed.with_plan, {"a": 2}),
        "tolerant": _launch(live, project, wf_composed.tolerant, {"xs": [1, 2, 3, 4]}),
    }
    docs = {name: _wait(live, execution_id) for name, execution_id in launched.items()}
    outputs = {
        name: doc["execution"]["outputs"]["o0"] for name, doc in docs.items()
        if doc["execution"]["phase"] == "SUCCEEDED"
    }
    assert outputs["map"]["value"] == sum(x * x for x in range(200))
    assert outputs["dynamic"]["value"] == 60
    assert outputs["branch"]["value"] == -1
    assert outputs["sub"]["value"] == 324
    assert outputs["plan"]["value"] == 24
    assert [item["type"] for item in outputs["tolerant"]["items"]] == ["union"] * 4
    assert outputs["tolerant"]["items"][2]["value"] == {"type": "scalar", "value": None}

    dynamic_nodes = {n["node_id"]: n for n in docs["dynamic"]["nodes"]}
    assert dynamic_nodes["n0"]["kind"] == "dynamic"
    assert sorted(k for k, n in dynamic_nodes.items() if n.get("parent") == "n0") == [
        "n0-0", "n0-1", "n0-2", "n0-3", "n0-4"]
    branch_phases = {n["node_id"]: n["phase"] for n in docs["branch"]["nodes"]}
    assert branch_phases["n1-1"] == "SUCCEEDED" and branch_phases["n1-0"] == "SKIPPED"

    plan_node = docs["plan"]["nodes"][0]
    assert plan_node["kind"] == "launchplan"
    child = live.get(f"{API}/executions/{plan_node['child_execution']}").json()["execution"]
    assert child["parent"] == launched["plan"] and child["parent_node"] == "n0"
    assert child["phase"] == "SUCCEEDED" and child["launched_by"] == "parent"
    assert child["project"] == project


def test_terminating_a_parent_aborts_the_execution_its_launch_plan_started(
    live: TestClient, project: str,  # noqa: F811
) -> None:
    r = live.post(f"{API}/register",
                  json=registration_body(project, "v1", (wf_composed.with_slow_plan,)))
    assert r.status_code == 200, r.text
    parent = _launch(live, project, wf_composed.with_slow_plan, {"seconds": 60.0})
    deadline = time.monotonic() + 60
    child_id = None
    while child_id is None:
        assert time.monotonic() < deadline, "the launch plan node never started its execution"
        node = live.get(f"{API}/executions/{parent}").json()["nodes"][0]
        child_id = node.get("child_execution")
        time.sleep(0.1)
    terminated = live.post(f"{API}/executions/{parent}/terminate", json={"reason": "stop"})
    assert terminated.status_code == 200, terminated.text
    assert _wait(live, parent)["execution"]["phase"] == "ABORTED"
    assert _wait(live, child_id)["execution"]["phase"] == "ABORTED"


def test_recover_reuses_the_elements_and_children_that_succeeded(
    marks: Path, live: TestClient, project: str,  # noqa: F811
) -> None:
    workflows = (wf_composed.checked_all, wf_composed.nested_guarded)
    r = live.post(f"{API}/register", json=registration_body(project, "v1", workflows))
    assert r.status_code == 200, r.text
    mapped = _launch(live, project, wf_composed.checked_all, {"xs": [7, -8, 9]})
    nested = _launch(live, project, wf_composed.nested_guarded, {"a": 5, "b": -6})
    assert _wait(live, mapped)["execution"]["phase"] == "FAILED"
    assert _wait(live, nested)["execution"]["phase"] == "FAILED"
    (marks / "fixed").write_text("")
    # the cache would also spare the map's elements: clear it, so only recovery can
    assert live.app.state.services.store.cache_clear(wf_composed.checked.name) > 0  # type: ignore[attr-defined]

    recovered = {}
    for old in (mapped, nested):
        response = live.post(f"{API}/executions/{old}/recover")
        assert response.status_code == 201, response.text
        recovered[old] = _wait(live, response.json()["execution"]["id"])
    assert recovered[mapped]["execution"]["outputs"]["o0"]["items"] == [
        {"type": "scalar", "value": v} for v in (8, -7, 10)]
    assert recovered[nested]["execution"]["outputs"]["o0"]["value"] == 2 * 5 * -6
    assert count_marks(marks, "checked-7") == 1 and count_marks(marks, "checked--8") == 2
    assert count_marks(marks, "guarded-5") == 1 and count_marks(marks, "guarded--6") == 2
    phases = {n["node_id"]: n["phase"] for n in recovered[nested]["nodes"]}
    assert phases["n0-0"] == "RECOVERED" and phases["n0-1"] == "SUCCEEDED"


def test_terminating_a_map_records_its_running_elements_cancelled(
    marks: Path, live: TestClient, project: str,  # noqa: F811
) -> None:
    r = live.post(f"{API}/register",
                  json=registration_body(project, "v1", (wf_composed.slow_map,)))
    assert r.status_code == 200, r.text
    xs = list(range(40))
    execution_id = _launch(live, project, wf_composed.slow_map, {"xs": xs})
    deadline = time.monotonic() + 60
    while sum(count_marks(marks, f"slow_element-{x}") for x in xs) < 4:
        assert time.monotonic() < deadline, "the map never started"
        time.sleep(0.05)
    terminated = live.post(f"{API}/executions/{execution_id}/terminate", json={"reason": "stop"})
    assert terminated.status_code == 200, terminated.text
    assert _wait(live, execution_id)["execution"]["phase"] == "ABORTED"
    elements = live.get(f"{API}/executions/{execution_id}/nodes/n0/elements",
                        params={"limit": 100}).json()["elements"]
    assert {e["phase"] for e in elements} <= {"SUCCEEDED", "ABORTED", "QUEUED"}, elements
    assert "RUNNING" not in {e["phase"] for e in elements}


def test_the_log_of_a_running_attempt_shows_what_it_printed_so_far(
    live: TestClient, project: str,  # noqa: F811
) -> None:
    r = live.post(f"{API}/register", json=registration_body(project, "v1", (wf_composed.chatty,)))
    assert r.status_code == 200, r.text
    execution_id = _launch(live, project, wf_composed.chatty, {"n": 7})
    deadline = time.monotonic() + 60
    while "started on 7" not in (text := live.get(f"{API}/executions/{execution_id}/logs").text):
        assert time.monotonic() < deadline, text
        time.sleep(0.1)
    assert "attempt 1: RUNNING" in text
    live.post(f"{API}/executions/{execution_id}/terminate", json={"reason": "done looking"})
    assert _wait(live, execution_id)["execution"]["phase"] == "ABORTED"
