"""Projects, domains, registration and registered entities over the REST API."""

from __future__ import annotations

import msgspec
import wf_basic
from fastapi.testclient import TestClient

from tests.server.conftest import registration_body
from updraft.model import DOMAINS, LaunchPlanSpec, WorkflowSpec

API = "/api/v1"


def test_projects_are_created_listed_and_fetched(client: TestClient, project: str) -> None:
    listed = client.get(f"{API}/projects").json()["projects"]
    assert project in [p["id"] for p in listed]
    got = client.get(f"{API}/projects/{project}")
    assert got.status_code == 200
    assert got.json() == {"id": project, "name": project, "description": "tests"}
    # creating it again returns the stored project unchanged
    again = client.post(f"{API}/projects", json={"id": project, "description": "other"})
    assert again.status_code == 201
    assert again.json()["description"] == "tests"


def test_unknown_project_is_404_naming_it(client: TestClient) -> None:
    response = client.get(f"{API}/projects/nope-404")
    assert response.status_code == 404
    assert "nope-404" in response.json()["message"]


def test_bad_project_id_is_refused(client: TestClient) -> None:
    response = client.post(f"{API}/projects", json={"id": "has space"})
    assert response.status_code == 422
    assert "id" in response.json()["message"]


def test_domains(client: TestClient) -> None:
    assert client.get(f"{API}/domains").json() == {"domains": list(DOMAINS)}


def test_register_stores_every_entity_with_default_launch_plans(
    client: TestClient, project: str
) -> None:
    response = client.post(f"{API}/register", json=registration_body(project, "v1"))
    assert response.status_code == 200, response.text
    body = response.json()
    created = {(e["kind"], e["id"]["name"]) for e in body["created"]}
    assert ("workflow", wf_basic.chain.spec.name) in created
    assert ("task", "wf_basic.inc") in created
    # every workflow gets a default launch plan under its own name
    assert ("launch_plan", wf_basic.chain.spec.name) in created
    assert body["existing"] == []
    assert len(body["code"]["digest"]) == 64

    listed = client.get(f"{API}/workflows/{project}/development").json()["entities"]
    assert {e["name"] for e in listed} == {
        wf_basic.chain.spec.name, wf_basic.shapes.spec.name, wf_basic.fan_out.spec.name
    }
    name = wf_basic.chain.spec.name
    got = client.get(f"{API}/workflows/{project}/development/{name}/v1")
    assert got.status_code == 200
    assert msgspec.convert(got.json()["spec"], WorkflowSpec) == wf_basic.chain.spec
    assert got.json()["code"]["digest"] == body["code"]["digest"]
    versions = client.get(f"{API}/tasks/{project}/development/wf_basic.inc").json()["entities"]
    assert [v["version"] for v in versions] == ["v1"]


def test_registering_the_same_content_again_is_a_no_op(client: TestClient, project: str) -> None:
    first = client.post(f"{API}/register", json=registration_body(project, "v1")).json()
    second = client.post(f"{API}/register", json=registration_body(project, "v1"))
    assert second.status_code == 200
    assert second.json()["created"] == []
    assert len(second.json()["existing"]) == len(first["created"])


def test_other_content_under_a_registered_version_is_409(client: TestClient, project: str) -> None:
    client.post(f"{API}/register", json=registration_body(project, "v1"))
    # the same workflow name now holding another spec (chain's name, shapes' body)
    changed = msgspec.structs.replace(wf_basic.shapes.spec, name=wf_basic.chain.spec.name)

    class Fake:
        spec = changed

    response = client.post(f"{API}/register", json=registration_body(project, "v1", (Fake,)))
    assert response.status_code == 409
    message = response.json()["message"]
    assert wf_basic.chain.spec.name in message and "new version" in message
    # nothing of the refused registration was stored
    assert client.get(f"{API}/tasks/{project}/development/wf_basic.divmod_task/v1").json()[
        "spec"]["name"] == "wf_basic.divmod_task"  # stored by the first registration
    # under a new version the same content registers fine
    ok = client.post(f"{API}/register", json=registration_body(project, "v2", (Fake,)))
    assert ok.status_code == 200


def test_registration_errors_are_400_with_a_message(client: TestClient, project: str) -> None:
    body = registration_body(project, "v1")
    body["registration"]["domain"] = "qa"
    r = client.post(f"{API}/register", json=body)
    assert r.status_code == 400 and "development" in r.json()["message"]

    body = registration_body(project, "v1")
    body["registration"]["workflows"][0]["nodes"] = "nope"
    r = client.post(f"{API}/register", json=body)
    assert r.status_code == 400 and "nodes" in r.json()["message"]

    body = registration_body(project, "v1")
    body["archive"] = "not base64!"
    r = client.post(f"{API}/register", json=body)
    assert r.status_code == 400 and "base64" in r.json()["message"]

    body = registration_body(project, "v1")
    body["archive"] = "aGVsbG8="  # "hello": base64 but not a zip
    r = client.post(f"{API}/register", json=body)
    assert r.status_code == 400 and "zip" in r.json()["message"]

    r = client.post(f"{API}/register", json=registration_body("no-such-project", "v1"))
    assert r.status_code == 404 and "no-such-project" in r.json()["message"]


def test_launch_plan_with_unknown_inputs_is_refused(client: TestClient, project: str) -> None:
    plan = LaunchPlanSpec(name="nightly", workflow=wf_basic.chain.spec.name,
                          fixed_inputs={"y": wf_basic.chain.spec.interface.inputs["x"].default})
    r = client.post(f"{API}/register",
                    json=registration_body(project, "v1", launch_plans=(plan,)))
    assert r.status_code == 400
    assert "nightly" in r.json()["message"] and "'y'" in r.json()["message"]


def test_launch_plans_activate_and_deactivate(client: TestClient, registered: str) -> None:
    name = wf_basic.chain.spec.name
    base = f"{API}/launch_plans/{registered}/development/{name}"
    r = client.post(f"{base}/activate")
    assert r.status_code == 200
    assert r.json() == {"id": {"project": registered, "domain": "development", "name": name,
                               "version": "v1"}, "active": True}
    assert client.get(f"{base}/v1").json()["active"] is True
    r = client.post(f"{base}/deactivate", params={"version": "v1"})
    assert r.json()["active"] is False
    assert client.get(f"{base}/v1").json()["active"] is False
    missing = client.post(f"{API}/launch_plans/{registered}/development/nope/activate")
    assert missing.status_code == 404 and "nope" in missing.json()["message"]


def test_entity_404_names_what_is_missing(client: TestClient, registered: str) -> None:
    r = client.get(f"{API}/workflows/{registered}/development/wf_basic.chain/v9")
    assert r.status_code == 404
    assert "v9" in r.json()["message"]
    r = client.get(f"{API}/workflows/{registered}/nodomain")
    assert r.status_code == 400 and "development" in r.json()["message"]
