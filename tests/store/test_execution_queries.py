"""Executions as the server lists them: by name, by labels, page by page; names unique per
project and domain; the registry's fields kept."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from updraft.model import CodePackage, EntityId, Execution, ExecutionPhase, Scalar
from updraft.store import NotFoundError, SqlMetadataStore, Tick

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _execution(project: str, i: int = 0, **changes: object) -> Execution:
    fields: dict[str, object] = {
        "id": f"ex-{uuid.uuid4().hex[:12]}",
        "workflow": "wf",
        "spec_hash": "h",
        "inputs": {"x": Scalar(i)},
        "project": project,
        "created_at": T0 + timedelta(seconds=i),
    }
    fields.update(changes)
    return Execution(**fields)  # type: ignore[arg-type]


@pytest.fixture
def project() -> str:
    return f"p-{uuid.uuid4().hex[:10]}"


def test_server_fields_round_trip(store: SqlMetadataStore, project: str) -> None:
    wf = EntityId(project=project, domain="development", name="wf", version="v1")
    execution = _execution(
        project,
        name="nightly-0001",
        workflow_id=wf,
        launch_plan=EntityId(project=project, domain="development", name="nightly", version="v1"),
        code=CodePackage(uri="/blobs/code/x.zip", digest="a" * 64),
        parent="ex-parent",
        scheduled_at=T0,
        overwrite_cache=True,
        max_parallelism=4,
        labels={"team": "ml"},
    )
    store.create_execution(execution, [])

    assert store.get_execution(execution.id) == execution
    assert store.get_execution_by_name(project, "development", "nightly-0001") == execution


def test_names_are_unique_per_project_and_domain(store: SqlMetadataStore, project: str) -> None:
    store.create_execution(_execution(project, name="run-1"), [])
    # Unnamed executions (local runs) never clash; other domains and projects may reuse it.
    store.create_execution(_execution(project), [])
    store.create_execution(_execution(project), [])
    store.create_execution(_execution(project, name="run-1", domain="production"), [])
    store.create_execution(_execution(f"{project}-b", name="run-1"), [])

    clash = _execution(project, name="run-1")
    with pytest.raises(ValueError) as caught:
        store.create_execution(clash, [])

    message = str(caught.value)
    assert "'run-1'" in message and repr(project) in message and "'development'" in message
    with pytest.raises(NotFoundError):
        store.get_execution(clash.id)


def test_unknown_name_is_not_found_naming_it(store: SqlMetadataStore, project: str) -> None:
    with pytest.raises(NotFoundError, match=f"no execution named 'ghost' in project '{project}'"):
        store.get_execution_by_name(project, "development", "ghost")
    store.create_execution(_execution(project), [])
    with pytest.raises(NotFoundError):
        store.get_execution_by_name(project, "development", "")


def test_list_filters_by_name_and_by_every_label(store: SqlMetadataStore, project: str) -> None:
    ml_prod = _execution(project, 0, labels={"team": "ml", "env": "prod"})
    ml_dev = _execution(project, 1, labels={"team": "ml", "env": "dev"}, name="dev-run")
    data = _execution(project, 2, labels={"team": "data"})
    odd = _execution(project, 3, labels={"it's \"quoted\"": "a.b$[0]"})
    for execution in (ml_prod, ml_dev, data, odd):
        store.create_execution(execution, [])

    def ids(**filters: object) -> list[str]:
        return [e.id for e in store.list_executions(project=project, **filters)]  # type: ignore[arg-type]

    assert ids(labels={"team": "ml"}) == [ml_dev.id, ml_prod.id]
    assert ids(labels={"team": "ml", "env": "prod"}) == [ml_prod.id]
    assert ids(labels={"team": "ml", "env": "qa"}) == []
    assert ids(labels={"it's \"quoted\"": "a.b$[0]"}) == [odd.id]
    assert ids(labels={}) == [odd.id, data.id, ml_dev.id, ml_prod.id]
    assert ids(name="dev-run") == [ml_dev.id]
    assert ids(name="dev-run", labels={"env": "prod"}) == []


def test_pages_with_offset_cover_every_execution_once(
    store: SqlMetadataStore, project: str
) -> None:
    made = [_execution(project, i) for i in range(7)]
    for execution in made:
        store.create_execution(execution, [])
    newest_first = [e.id for e in reversed(made)]

    pages = [
        [e.id for e in store.list_executions(project=project, limit=3, offset=offset)]
        for offset in (0, 3, 6, 9)
    ]

    assert pages == [newest_first[:3], newest_first[3:6], newest_first[6:], []]
    with pytest.raises(ValueError, match="offset=-1"):
        store.list_executions(project=project, offset=-1)


def test_a_tick_keeps_the_name_and_labels_filterable(
    store: SqlMetadataStore, project: str
) -> None:
    execution = _execution(project, name="named", labels={"team": "ml"})
    store.create_execution(execution, [])
    done = _execution(
        project, id=execution.id, name="named", labels={"team": "ml"},
        phase=ExecutionPhase.SUCCEEDED,
    )

    store.commit_tick(Tick(execution_id=execution.id, execution=done))

    assert store.get_execution_by_name(project, "development", "named") == done
    assert [e.id for e in store.list_executions(project=project, labels={"team": "ml"})] == [
        execution.id
    ]
