"""The control plane's registry on SQLite and PostgreSQL: projects, immutable registration,
launch plan activation and schedule fires."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from updraft.model import (
    CodePackage,
    EntityId,
    Interface,
    LaunchPlanSpec,
    LiteralType,
    NodeSpec,
    OutputRef,
    Parameter,
    Project,
    Scalar,
    ScheduleSpec,
    SourceLocation,
    TaskSpec,
    WorkflowSpec,
)
from updraft.store import EntityConflictError, NotFoundError, RegistryStore, SqlMetadataStore

INT = LiteralType(kind="int")
CODE = CodePackage(uri="/blobs/code/abc.zip", digest="c" * 64)


def _task(name: str = "mod.double", retries: int = 0) -> TaskSpec:
    return TaskSpec(
        name=name,
        entry_point=name.replace(".", ":", 1),
        interface=Interface(inputs={"x": Parameter(type=INT)}, outputs={"o0": INT}),
        retries=retries,
    )


def _workflow(name: str = "wf", task: TaskSpec | None = None) -> WorkflowSpec:
    task = task or _task()
    return WorkflowSpec(
        name=name,
        interface=Interface(inputs={"x": Parameter(type=INT)}, outputs={"o0": INT}),
        nodes=(NodeSpec(id="n0", task=task.name, name="double"),),
        outputs={"o0": OutputRef(node="n0", output="o0")},
        tasks={task.name: task},
    )


def _plan(name: str = "hourly", workflow: str = "wf") -> LaunchPlanSpec:
    return LaunchPlanSpec(
        name=name,
        workflow=workflow,
        default_inputs={"x": Scalar(3)},
        schedule=ScheduleSpec(cron="0 * * * *", timezone="Europe/Berlin"),
    )


@pytest.fixture
def project(store: SqlMetadataStore) -> str:
    """A new project in the store (the PostgreSQL database is shared by the session)."""
    project_id = f"p-{uuid.uuid4().hex[:10]}"
    store.create_project(Project(id=project_id, name="Examples"))
    return project_id


def _id(project: str, name: str = "wf", version: str = "v1", domain: str = "development"
        ) -> EntityId:
    return EntityId(project=project, domain=domain, name=name, version=version)


def test_sql_store_is_a_registry_store(store: SqlMetadataStore) -> None:
    assert isinstance(store, RegistryStore)


# -- projects --------------------------------------------------------------------------------


def test_projects_are_created_once_and_listed_by_id(store: SqlMetadataStore) -> None:
    stem = uuid.uuid4().hex[:10]
    first = Project(id=f"b-{stem}", name="B", description="the first one")

    assert store.create_project(first) == first
    # Creating it again returns what is stored, not what was given.
    assert store.create_project(Project(id=f"b-{stem}", name="changed")) == first
    store.create_project(Project(id=f"a-{stem}"))

    ids = [p.id for p in store.list_projects() if p.id.endswith(stem)]
    assert ids == [f"a-{stem}", f"b-{stem}"]
    assert store.get_project(f"b-{stem}") == first


def test_default_project_can_be_created(store: SqlMetadataStore) -> None:
    store.create_project(Project(id="default", name="Default"))

    assert store.get_project("default").id == "default"


def test_unknown_project_is_not_found_naming_it(store: SqlMetadataStore) -> None:
    with pytest.raises(NotFoundError, match=r"no project 'nope-[0-9a-f]+'.*updraft project create"):
        store.get_project(f"nope-{uuid.uuid4().hex[:8]}")


@pytest.mark.parametrize("bad", ["", "has space", "a/b", "-leading", "x" * 64])
def test_malformed_project_id_is_refused(store: SqlMetadataStore, bad: str) -> None:
    with pytest.raises(ValueError, match=r"project id .* is not valid"):
        store.create_project(Project(id=bad))


# -- registration ------------------------------------------------------------------------------


def test_register_and_get_each_kind_with_its_code(store: SqlMetadataStore, project: str) -> None:
    task, workflow, plan = _task(), _workflow(), _plan()

    assert store.register("task", _id(project, task.name), task, CODE) is True
    assert store.register("workflow", _id(project), workflow, CODE) is True
    assert store.register("launch_plan", _id(project, "hourly"), plan) is True

    assert store.get_entity("task", _id(project, task.name)) == (task, CODE)
    assert store.get_entity("workflow", _id(project)) == (workflow, CODE)
    assert store.get_entity("launch_plan", _id(project, "hourly")) == (plan, None)


def test_same_content_again_is_a_no_op(store: SqlMetadataStore, project: str) -> None:
    assert store.register("workflow", _id(project), _workflow(), CODE) is True
    # Source locations and docstrings are not content: moving code in its file is no change.
    moved = _workflow(task=_task())
    moved_task = TaskSpec(
        name="mod.double",
        entry_point="mod:double",
        interface=moved.interface,
        location=SourceLocation(file="mod.py", line=40),
        docstring="Doubles.",
    )
    moved = _workflow(task=moved_task)

    assert store.register("workflow", _id(project), moved, CODE) is False
    assert store.list_entities("workflow", project, "development") == [_id(project)]


def test_same_id_with_other_content_is_refused(store: SqlMetadataStore, project: str) -> None:
    store.register("workflow", _id(project), _workflow(), CODE)
    changed = _workflow(task=_task(retries=2))

    with pytest.raises(EntityConflictError) as caught:
        store.register("workflow", _id(project), changed, CODE)

    assert str(caught.value) == (
        f"workflow {project}/development/wf@v1 is registered already with other content; "
        "register under a new version (e.g. --version v2)"
    )
    assert store.get_entity("workflow", _id(project))[0] == _workflow()


def test_same_spec_with_other_code_is_refused(store: SqlMetadataStore, project: str) -> None:
    store.register("task", _id(project, "mod.double", "2024.1"), _task(), CODE)
    other_code = CodePackage(uri="/blobs/code/def.zip", digest="d" * 64)

    with pytest.raises(EntityConflictError, match=r"task .*mod.double@2024.1 .*--version 2024.2"):
        store.register("task", _id(project, "mod.double", "2024.1"), _task(), other_code)
    with pytest.raises(EntityConflictError):
        store.register("task", _id(project, "mod.double", "2024.1"), _task(), None)


def test_one_name_may_differ_across_domains_and_kinds(
    store: SqlMetadataStore, project: str
) -> None:
    store.register("workflow", _id(project, domain="development"), _workflow())
    changed = _workflow(task=_task(retries=1))

    assert store.register("workflow", _id(project, domain="production"), changed) is True
    assert store.register("launch_plan", _id(project), _plan(name="wf")) is True


def test_register_needs_an_existing_project_and_creates_none(store: SqlMetadataStore) -> None:
    missing = f"ghost-{uuid.uuid4().hex[:8]}"

    with pytest.raises(NotFoundError, match=f"no project '{missing}'"):
        store.register("workflow", _id(missing), _workflow())

    assert missing not in [p.id for p in store.list_projects()]
    assert store.list_entities("workflow", missing, "development") == []


def test_register_in_an_unknown_domain_names_the_domains(
    store: SqlMetadataStore, project: str
) -> None:
    with pytest.raises(NotFoundError, match=r"no domain 'dev'.*development, staging, production"):
        store.register("workflow", _id(project, domain="dev"), _workflow())


def test_register_refuses_a_spec_of_another_kind_and_unknown_kinds(
    store: SqlMetadataStore, project: str
) -> None:
    with pytest.raises(TypeError, match="a task takes a TaskSpec, got WorkflowSpec"):
        store.register("task", _id(project), _workflow())
    with pytest.raises(ValueError, match="unknown entity kind 'workflows'"):
        store.register("workflows", _id(project), _workflow())
    with pytest.raises(ValueError, match="its version is empty"):
        store.register("workflow", _id(project, version=""), _workflow())


def test_missing_entity_names_the_versions_that_exist(
    store: SqlMetadataStore, project: str
) -> None:
    store.register("workflow", _id(project, version="v1"), _workflow())
    store.register("workflow", _id(project, version="v2"), _workflow(task=_task(retries=1)))

    with pytest.raises(NotFoundError) as caught:
        store.get_entity("workflow", _id(project, version="v9"))
    assert f"workflow {project}/development/wf@v9" in str(caught.value)
    assert "versions of 'wf' are v2, v1" in str(caught.value)

    with pytest.raises(NotFoundError, match="nothing named 'other' is registered"):
        store.get_entity("workflow", _id(project, name="other"))


def test_entities_are_listed_newest_registration_first(
    store: SqlMetadataStore, project: str
) -> None:
    # Registration order, not version order: "v10" after "v9", and "a" after both.
    versions = ["v9", "v10", "a"]
    for i, version in enumerate(versions):
        store.register("workflow", _id(project, version=version), _workflow(task=_task(retries=i)))
    store.register("workflow", _id(project, name="other"), _workflow(name="other"))
    store.register("task", _id(project, name="mod.double"), _task())

    assert [e.version for e in store.list_entities("workflow", project, "development", "wf")] == [
        "a", "v10", "v9"
    ]
    listed = store.list_entities("workflow", project, "development")
    assert [(e.name, e.version) for e in listed] == [
        ("other", "v1"), ("wf", "a"), ("wf", "v10"), ("wf", "v9")
    ]
    assert store.latest("workflow", project, "development", "wf") == _id(project, version="a")
    assert store.list_entities("workflow", project, "staging") == []


# -- launch plans and schedules ------------------------------------------------------------------


def _plans(store: SqlMetadataStore, project: str) -> list[EntityId]:
    return [p for p in store.active_launch_plans() if p.project == project]


def test_activating_a_version_deactivates_the_others(
    store: SqlMetadataStore, project: str
) -> None:
    v1, v2 = _id(project, "hourly", "v1"), _id(project, "hourly", "v2")
    store.register("launch_plan", v1, _plan())
    store.register("launch_plan", v2, _plan())
    store.register("launch_plan", _id(project, "daily"), _plan(name="daily"))
    assert _plans(store, project) == []

    store.set_launch_plan_active(v1, True)
    store.set_launch_plan_active(_id(project, "daily"), True)
    assert _plans(store, project) == [_id(project, "daily"), v1]

    store.set_launch_plan_active(v2, True)
    assert _plans(store, project) == [_id(project, "daily"), v2]
    assert store.active_version(project, "development", "hourly") == "v2"

    store.set_launch_plan_active(v2, False)
    assert _plans(store, project) == [_id(project, "daily")]
    assert store.active_version(project, "development", "hourly") is None


def test_deactivating_any_version_stops_the_name(store: SqlMetadataStore, project: str) -> None:
    v1, v2 = _id(project, "hourly", "v1"), _id(project, "hourly", "v2")
    store.register("launch_plan", v1, _plan())
    store.register("launch_plan", v2, _plan())
    store.set_launch_plan_active(v1, True)

    store.set_launch_plan_active(v2, False)

    assert _plans(store, project) == []


def test_activating_an_unregistered_plan_is_not_found(
    store: SqlMetadataStore, project: str
) -> None:
    with pytest.raises(NotFoundError, match=r"launch plan .*/hourly@v1"):
        store.set_launch_plan_active(_id(project, "hourly"), True)
    assert _plans(store, project) == []


def test_each_scheduled_time_fires_once_per_plan_name(
    store: SqlMetadataStore, project: str
) -> None:
    v1, v2 = _id(project, "hourly", "v1"), _id(project, "hourly", "v2")
    at = datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    assert store.last_fire(v1) is None

    assert store.record_fire(v1, at, "ex-1") is True
    assert store.record_fire(v1, at, "ex-2") is False
    # A new version of the plan does not fire the same time again ...
    assert store.record_fire(v2, at, "ex-3") is False
    # ... nor does the same instant written in another time zone.
    berlin = at.astimezone(timezone(timedelta(hours=2)))
    assert store.record_fire(v1, berlin, "ex-4") is False
    # Another plan name, or the next time, does fire.
    assert store.record_fire(_id(project, "daily"), at, "ex-5") is True
    assert store.record_fire(v2, at + timedelta(hours=1), "ex-6") is True

    assert store.last_fire(v1) == at + timedelta(hours=1)
    assert store.last_fire(_id(project, "daily")) == at


def test_fires_survive_reopening_the_store(db_url: str) -> None:
    plan = _id(f"p-{uuid.uuid4().hex[:10]}", "hourly")
    at = datetime(2025, 3, 30, 1, 0, 0, 250000, tzinfo=UTC)
    with SqlMetadataStore(db_url) as first:
        assert first.record_fire(plan, at, "ex-1") is True

    with SqlMetadataStore(db_url) as second:
        assert second.record_fire(plan, at, "ex-2") is False
        assert second.last_fire(plan) == at


def test_naive_scheduled_time_is_refused(store: SqlMetadataStore, project: str) -> None:
    with pytest.raises(ValueError, match="has no time zone"):
        store.record_fire(_id(project, "hourly"), datetime(2025, 1, 1), "ex-1")



def test_activation_time_spans_the_names_active_period(
    store: SqlMetadataStore, project: str
) -> None:
    v1, v2 = _id(project, "hourly", "v1"), _id(project, "hourly", "v2")
    store.register("launch_plan", v1, _plan())
    store.register("launch_plan", v2, _plan())
    assert store.launch_plan_activated_at(v1) is None

    before = datetime.now(UTC)
    store.set_launch_plan_active(v1, True)
    first = store.launch_plan_activated_at(v1)
    assert first is not None and before - timedelta(seconds=1) <= first <= datetime.now(UTC)

    # Switching versions keeps the period; deactivating ends it; activating starts anew.
    store.set_launch_plan_active(v2, True)
    assert store.launch_plan_activated_at(v2) == first
    store.set_launch_plan_active(v2, False)
    assert store.launch_plan_activated_at(v2) is None
    store.set_launch_plan_active(v2, True)
    again = store.launch_plan_activated_at(v2)
    assert again is not None and again > first


def test_fires_whose_execution_never_came_are_listed(
    store: SqlMetadataStore, project: str
) -> None:
    plan = _id(project, "hourly", "v3")
    at = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    execution_id = f"ex-{uuid.uuid4().hex[:10]}"
    store.record_fire(plan, at, execution_id)

    lost = [f for f in store.unlaunched_fires(0.0) if f[2] == execution_id]
    assert lost == [(plan, at, execution_id)]
    assert [f for f in store.unlaunched_fires(3600.0) if f[2] == execution_id] == []

    from updraft.model import Execution

    store.create_execution(
        Execution(id=execution_id, workflow="wf", spec_hash="h", inputs={}), []
    )
    assert [f for f in store.unlaunched_fires(0.0) if f[2] == execution_id] == []
