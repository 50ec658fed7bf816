"""The scheduler launches each due time of an active plan once, across restarts."""

from __future__ import annotations

import itertools
import threading
from datetime import datetime, timedelta
from pathlib import Path

from updraft.model import (
    EntityId,
    Execution,
    Interface,
    LaunchPlanSpec,
    Project,
    ScheduleSpec,
    WorkflowSpec,
)
from updraft.server._scheduler import Scheduler
from updraft.store import SqlMetadataStore


def _store(tmp_path: Path, catch_up: str) -> tuple[SqlMetadataStore, EntityId]:
    store = SqlMetadataStore(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store.create_project(Project(id="p"))
    workflow = WorkflowSpec(name="wf", interface=Interface(), nodes=(), outputs={}, tasks={})
    store.register("workflow", EntityId("p", "development", "wf", "v1"), workflow)
    plan = LaunchPlanSpec(
        name="every_ten_minutes",
        workflow="wf",
        schedule=ScheduleSpec(fixed_rate_s=600),
        catch_up=catch_up,
    )
    plan_id = EntityId("p", "development", "every_ten_minutes", "v1")
    store.register("launch_plan", plan_id, plan)
    store.set_launch_plan_active(plan_id, True)
    return store, plan_id


class _Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def _scheduler(store: SqlMetadataStore, clock: _Clock, launched: list) -> Scheduler:  # type: ignore[type-arg]
    ids = (f"e{i}" for i in itertools.count())

    def launch(plan: EntityId, scheduled_at: datetime, execution_id: str) -> Execution:
        launched.append((plan.name, scheduled_at, execution_id))
        return Execution(id=execution_id, workflow="wf", spec_hash="", inputs={})

    return Scheduler(store, launch, lambda: next(ids), clock=clock)


def test_each_time_fires_once_and_a_restart_does_not_refire(tmp_path: Path) -> None:
    store, plan_id = _store(tmp_path, "all")
    activated = store.launch_plan_activated_at(plan_id)
    assert activated is not None
    clock = _Clock(activated + timedelta(minutes=35))
    launched: list = []  # type: ignore[type-arg]
    scheduler = _scheduler(store, clock, launched)

    scheduler.tick()
    scheduler.tick()
    assert [t for _, t, _ in launched] == [
        activated + timedelta(minutes=m) for m in (10, 20, 30)
    ]

    restarted = _scheduler(store, clock, launched)
    restarted.tick()
    assert len(launched) == 3
    clock.now += timedelta(minutes=10)
    restarted.tick()
    assert launched[-1][1] == activated + timedelta(minutes=40)
    assert len(launched) == 4


def test_latest_catch_up_runs_only_the_newest_missed_time(tmp_path: Path) -> None:
    store, plan_id = _store(tmp_path, "latest")
    activated = store.launch_plan_activated_at(plan_id)
    assert activated is not None
    clock = _Clock(activated + timedelta(minutes=55))
    launched: list = []  # type: ignore[type-arg]
    _scheduler(store, clock, launched).tick()
    assert [t for _, t, _ in launched] == [activated + timedelta(minutes=50)]


def test_an_inactive_plan_does_not_fire(tmp_path: Path) -> None:
    store, plan_id = _store(tmp_path, "all")
    activated = store.launch_plan_activated_at(plan_id)
    assert activated is not None
    store.set_launch_plan_active(plan_id, False)
    launched: list = []  # type: ignore[type-arg]
    _scheduler(store, _Clock(activated + timedelta(hours=2)), launched).tick()
    assert launched == []


def test_the_scheduler_thread_survives_a_store_that_fails_for_a_while(tmp_path: Path) -> None:
    store, _ = _store(tmp_path, "latest")
    failures = [RuntimeError("database is restarting")] * 2
    listed = threading.Event()

    class _Flaky(SqlMetadataStore):
        def active_launch_plans(self) -> list[EntityId]:
            if failures:
                raise failures.pop()
            listed.set()
            return []

    flaky = _Flaky(f"sqlite:///{tmp_path / 'db.sqlite'}")
    scheduler = Scheduler(flaky, lambda *a: Execution(id="x", workflow="wf", spec_hash="",
                                                       inputs={}),
                          lambda: "x", poll_s=0.01)
    scheduler.start()
    try:
        assert listed.wait(10), "the scheduler stopped after the store failed"
    finally:
        scheduler.stop()
        flaky.close()
        store.close()


def test_a_fire_recorded_before_a_crash_is_launched_after_the_restart(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import updraft.server._scheduler as scheduler_module

    monkeypatch.setattr(scheduler_module, "_LOST_AFTER_S", 0.0)
    store, plan_id = _store(tmp_path, "latest")
    activated = store.launch_plan_activated_at(plan_id)
    assert activated is not None
    clock = _Clock(activated + timedelta(minutes=15))

    def crash(plan: EntityId, scheduled_at: datetime, execution_id: str) -> Execution:
        raise SystemError("the server died between recording the fire and launching")

    Scheduler(store, crash, lambda: "lost-1", clock=clock).tick()
    launched: list = []  # type: ignore[type-arg]
    _scheduler(store, clock, launched).tick()

    assert launched == [
        ("every_ten_minutes", activated + timedelta(minutes=10), "lost-1")
    ]
