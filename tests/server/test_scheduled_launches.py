"""Scheduled and backfilled launches of a registered plan run with their scheduled time."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import wf_basic
from fastapi.testclient import TestClient

from tests.server.conftest import registration_body
from tests.server.test_server_e2e import _wait, live  # noqa: F401 - the fixture
from updraft.model import EntityId, LaunchPlanSpec, ScheduleSpec
from updraft.server._scheduler import Scheduler

API = "/api/v1"


def _plan() -> dict[str, Any]:
    plan = LaunchPlanSpec(
        name="every_ten_minutes",
        workflow=wf_basic.stamped.spec.name,
        schedule=ScheduleSpec(fixed_rate_s=600),
        kickoff_time_input_arg="when",
        catch_up="all",
    )
    return msgspec.to_builtins(plan)  # type: ignore[no-any-return]


def _register(client: TestClient, project: str) -> EntityId:
    body = registration_body(project, "v1", workflows=(wf_basic.stamped,))
    body["registration"]["launch_plans"] = [_plan()]
    response = client.post(f"{API}/register", json=body)
    assert response.status_code == 200, response.text
    active = client.post(f"{API}/launch_plans/{project}/development/every_ten_minutes/activate")
    assert active.status_code == 200, active.text
    return EntityId(project, "development", "every_ten_minutes", "v1")


def test_the_scheduler_launches_due_times_with_the_kickoff_input(
    live: TestClient, project: str  # noqa: F811
) -> None:
    plan_id = _register(live, project)
    services = live.app.state.services  # type: ignore[attr-defined]
    activated = services.registry.launch_plan_activated_at(plan_id)
    ids = (f"sched{i}" for i in itertools.count())
    scheduler = Scheduler(
        services.registry,
        services.launcher.launch_scheduled,
        lambda: next(ids),
        clock=lambda: activated + timedelta(minutes=25),
    )

    # The database is shared by the session's tests: look at this project's launches only.
    launched = [e for e in scheduler.tick() if e.project == project]
    services.wake()

    assert sorted(e.scheduled_at for e in launched) == [  # type: ignore[type-var]
        activated + timedelta(minutes=m) for m in (10, 20)
    ]
    assert [e for e in scheduler.tick() if e.project == project] == []
    launched.sort(key=lambda e: e.scheduled_at)  # type: ignore[arg-type, return-value]
    for execution, minutes in zip(launched, (10, 20), strict=True):
        document = _wait(live, execution.id)
        assert document["execution"]["phase"] == "SUCCEEDED"
        assert document["execution"]["launched_by"] == "schedule"
        due = activated + timedelta(minutes=minutes)
        assert datetime.fromisoformat(document["execution"]["scheduled_at"]) == due
        output = document["execution"]["outputs"]["o0"]["value"]
        assert datetime.fromisoformat(output) == due


def test_backfill_launches_a_past_range_once(live: TestClient, project: str) -> None:  # noqa: F811
    plan = LaunchPlanSpec(
        name="every_ten_minutes_cron", workflow=wf_basic.stamped.spec.name,
        schedule=ScheduleSpec(cron="*/10 * * * *"), kickoff_time_input_arg="when",
    )
    body = registration_body(project, "v1", workflows=(wf_basic.stamped,))
    body["registration"]["launch_plans"] = [msgspec.to_builtins(plan)]
    assert live.post(f"{API}/register", json=body).status_code == 200
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    window = {"start": (end - timedelta(hours=1)).isoformat(), "end": end.isoformat()}
    url = f"{API}/launch_plans/{project}/development/every_ten_minutes_cron/backfill"

    first = live.post(url, json=window)
    again = live.post(url, json=window)

    assert first.status_code == 200, first.text
    launched = first.json()["launched"]
    assert sorted(datetime.fromisoformat(t) for t in launched) == [
        end - timedelta(minutes=m) for m in (50, 40, 30, 20, 10, 0)
    ]
    assert again.json()["launched"] == {}
    for when, execution_id in launched.items():
        document = _wait(live, execution_id)["execution"]
        assert document["phase"] == "SUCCEEDED"
        assert datetime.fromisoformat(document["outputs"]["o0"]["value"]) == (
            datetime.fromisoformat(when)
        )


def test_a_plans_concurrency_limit_queues_the_rest(
    live: TestClient, project: str  # noqa: F811
) -> None:
    plan = LaunchPlanSpec(name="one_at_a_time", workflow=wf_basic.chain.spec.name,
                          max_concurrency=1)
    body = registration_body(project, "v1", workflows=(wf_basic.chain,))
    body["registration"]["launch_plans"] = [msgspec.to_builtins(plan)]
    assert live.post(f"{API}/register", json=body).status_code == 200
    ids = []
    for x in range(4):
        created = live.post(f"{API}/executions", json={
            "project": project, "domain": "development", "launch_plan": "one_at_a_time",
            "inputs": {"x": x}})
        assert created.status_code == 201, created.text
        ids.append(created.json()["execution"]["id"])

    documents = [_wait(live, i)["execution"] for i in ids]

    assert [d["outputs"]["o0"]["value"] for d in documents] == [5, 6, 7, 8]
    spans = sorted(
        (datetime.fromisoformat(d["started_at"]), datetime.fromisoformat(d["ended_at"]))
        for d in documents
    )
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert end <= start  # never two at once
