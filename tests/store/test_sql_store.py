"""The metadata store as the engine, runner and server use it, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from updraft.model import (
    Blob,
    CacheStatus,
    Collection,
    ErrorInfo,
    Event,
    Execution,
    ExecutionPhase,
    Interface,
    LiteralType,
    Map,
    NodeExecution,
    NodePhase,
    NodeSpec,
    OutputRef,
    Parameter,
    Scalar,
    TaskSpec,
    UnionValue,
    WorkflowSpec,
    content_hash,
)
from updraft.store import CachePut, NotFoundError, SqlMetadataStore, Tick

T0 = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


def _id() -> str:
    return f"ex-{uuid.uuid4().hex[:12]}"


def _execution(execution_id: str | None = None, **changes: object) -> Execution:
    fields: dict[str, object] = {
        "id": execution_id or _id(),
        "workflow": "examples.diabetes.train",
        "spec_hash": "a" * 64,
        "inputs": {"seed": Scalar(7), "ratio": Scalar(0.33)},
        "created_at": T0,
    }
    fields.update(changes)
    return Execution(**fields)  # type: ignore[arg-type]


def _nodes(*ids: str) -> list[NodeExecution]:
    return [NodeExecution(node_id=i, name=f"task_{i}") for i in ids]


RICH_INPUTS = {
    "dataset": Blob(uri="/blobs/x/data.csv", hash="f" * 64, kind="file", format="csv", size=10),
    "xs": Collection(items=(Scalar(1), Scalar(2.5), Scalar(None), Scalar("é"))),
    "cfg": Map(items={"depth": Scalar(3), "flag": Scalar(True)}),
    "maybe": UnionValue(variant=1, value=Scalar("x")),
}


def test_execution_round_trip_keeps_every_field(store: SqlMetadataStore) -> None:
    execution = _execution(
        inputs=RICH_INPUTS,
        phase=ExecutionPhase.FAILED,
        outputs={"o0": Scalar(0.91)},
        error=ErrorInfo(kind="USER_ERROR", message="boom", traceback="Traceback...", node="n1"),
        started_at=T0 + timedelta(seconds=1),
        ended_at=T0 + timedelta(seconds=5),
        launched_by="schedule",
        labels={"team": "ml"},
        project="p1",
        domain="production",
        code_paths=("/code/v1",),
    )
    store.create_execution(execution, [])

    assert store.get_execution(execution.id) == execution


def test_nodes_round_trip_with_literals_and_errors(store: SqlMetadataStore) -> None:
    execution = _execution()
    failed = NodeExecution(
        node_id="n1",
        name="fit",
        phase=NodePhase.FAILED,
        attempts=3,
        system_failures=1,
        cache=CacheStatus.MISS,
        started_at=T0,
        ended_at=T0 + timedelta(milliseconds=1500),
        error=ErrorInfo(kind="OOM", message="over 200Mi", traceback="tb"),
        log_uri="/logs/n1.txt",
    )
    done = NodeExecution(
        node_id="n0", name="split", phase=NodePhase.SUCCEEDED, cache=CacheStatus.HIT,
        outputs=RICH_INPUTS,
    )
    store.create_execution(execution, [done, failed])

    assert store.get_nodes(execution.id) == [done, failed]


def test_nodes_come_back_in_creation_order_including_later_ones(store: SqlMetadataStore) -> None:
    execution = _execution()
    ids = ["n0", "n1", "n10", "n2", "n3", "n11", "n9"]
    store.create_execution(execution, _nodes(*ids))
    store.commit_tick(Tick(execution_id=execution.id, nodes=_nodes("n3-1", "n3-0")))
    store.commit_tick(Tick(execution_id=execution.id, nodes=_nodes("n3-2")))

    got = [n.node_id for n in store.get_nodes(execution.id)]

    assert got == [*ids, "n3-1", "n3-0", "n3-2"]


def test_tick_upserts_nodes_in_place(store: SqlMetadataStore) -> None:
    execution = _execution()
    store.create_execution(execution, _nodes("n0", "n1", "n2"))
    running = NodeExecution(node_id="n1", name="task_n1", phase=NodePhase.RUNNING, attempts=1)
    finished = NodeExecution(
        node_id="n1", name="task_n1", phase=NodePhase.SUCCEEDED, attempts=1,
        outputs={"o0": Scalar(42)},
    )

    store.commit_tick(Tick(execution_id=execution.id, nodes=[running]))
    assert store.get_nodes(execution.id)[1] == running
    # Two states of one node in one tick: the last one is kept.
    store.commit_tick(Tick(execution_id=execution.id, nodes=[running, finished]))

    nodes = store.get_nodes(execution.id)
    assert [n.node_id for n in nodes] == ["n0", "n1", "n2"]
    assert nodes[1] == finished
    assert nodes[0].phase == NodePhase.QUEUED


def test_tick_replaces_the_execution_row(store: SqlMetadataStore) -> None:
    execution = _execution(project=f"p-{uuid.uuid4().hex[:8]}")
    store.create_execution(execution, _nodes("n0"))
    done = _execution(
        execution.id, project=execution.project, phase=ExecutionPhase.SUCCEEDED,
        outputs={"o0": Scalar(1)}, ended_at=T0 + timedelta(seconds=3),
    )

    store.commit_tick(Tick(execution_id=execution.id, execution=done))

    assert store.get_execution(execution.id) == done
    listed = store.list_executions(project=execution.project, phases=["SUCCEEDED"])
    assert [e.id for e in listed] == [execution.id]
    assert store.list_executions(project=execution.project, phases=["QUEUED", "RUNNING"]) == []


def test_events_are_listed_oldest_first_across_ticks(store: SqlMetadataStore) -> None:
    execution = _execution()
    store.create_execution(execution, _nodes("n0", "n1"))
    first = [
        Event(execution_id=execution.id, phase="RUNNING", at=1.0),
        Event(execution_id=execution.id, phase="RUNNING", at=1.1, node_id="n1", attempt=1),
    ]
    second = [
        Event(execution_id=execution.id, phase="FAILED", at=2.0, node_id="n1", attempt=1,
              detail="USER_ERROR: boom"),
        Event(execution_id=execution.id, phase="RUNNING", at=1.5, node_id="n1", attempt=2),
    ]
    store.commit_tick(Tick(execution_id=execution.id, events=first))
    store.commit_tick(Tick(execution_id=execution.id, events=second))

    assert store.list_events(execution.id) == first + second


def test_list_executions_newest_first_with_filters(store: SqlMetadataStore) -> None:
    project = f"p-{uuid.uuid4().hex[:8]}"
    made = []
    for i, domain in enumerate(["development", "production", "development", "development"]):
        execution = _execution(
            project=project, domain=domain, created_at=T0 + timedelta(minutes=i)
        )
        store.create_execution(execution, [])
        made.append(execution)
    store.create_execution(_execution(project=f"{project}-other"), [])

    newest_first = [e.id for e in reversed(made)]
    assert [e.id for e in store.list_executions(project=project)] == newest_first
    assert [e.id for e in store.list_executions(project=project, limit=2)] == newest_first[:2]
    dev = store.list_executions(project=project, domain="development")
    assert [e.id for e in dev] == [made[3].id, made[2].id, made[0].id]
    prod = store.list_executions(project=project, domain="production")
    assert prod == [made[1]]


def test_unknown_execution_raises_not_found_naming_the_id(store: SqlMetadataStore) -> None:
    missing = "ex-does-not-exist"
    for call in (
        store.get_execution,
        store.get_nodes,
        store.list_events,
        store.get_document,
    ):
        with pytest.raises(NotFoundError, match=missing):
            call(missing)
    with pytest.raises(NotFoundError, match=missing):
        store.commit_tick(Tick(execution_id=missing, nodes=_nodes("n0")))


def test_execution_without_nodes_lists_none(store: SqlMetadataStore) -> None:
    execution = _execution()
    store.create_execution(execution, [])

    assert store.get_nodes(execution.id) == []
    assert store.list_events(execution.id) == []


def test_tick_is_all_or_nothing(store: SqlMetadataStore) -> None:
    execution = _execution()
    store.create_execution(execution, _nodes("n0"))
    stray = Event(execution_id="ex-unknown-for-tick", phase="RUNNING", at=1.0)
    running = NodeExecution(node_id="n0", name="task_n0", phase=NodePhase.RUNNING)

    with pytest.raises(NotFoundError, match="ex-unknown-for-tick"):
        store.commit_tick(Tick(execution_id=execution.id, nodes=[running], events=[stray]))

    assert store.get_nodes(execution.id)[0].phase == NodePhase.QUEUED
    assert store.list_events(execution.id) == []


def test_tick_for_another_execution_is_refused(store: SqlMetadataStore) -> None:
    execution = _execution()
    store.create_execution(execution, [])

    with pytest.raises(ValueError, match="one execution"):
        store.commit_tick(Tick(execution_id=execution.id, execution=_execution()))


def test_duplicate_execution_id_is_refused(store: SqlMetadataStore) -> None:
    execution = _execution()
    store.create_execution(execution, _nodes("n0"))

    with pytest.raises(ValueError, match=execution.id):
        store.create_execution(execution, _nodes("n0"))


def test_document_has_execution_and_nodes_in_order(store: SqlMetadataStore) -> None:
    execution = _execution()
    store.create_execution(execution, _nodes("n0", "n1"))

    document = store.get_document(execution.id)

    assert document.execution == execution
    assert [n.node_id for n in document.nodes] == ["n0", "n1"]


def test_cache_first_writer_wins(store: SqlMetadataStore) -> None:
    execution = _execution()
    store.create_execution(execution, [])
    key = f"k-{uuid.uuid4().hex}"
    first = {"o0": Scalar(1), "o1": Blob(uri="/b/1", hash="1" * 64, kind="dataframe")}

    store.commit_tick(
        Tick(execution_id=execution.id, cache_puts=[CachePut(key, "mod.task", first)])
    )
    store.commit_tick(
        Tick(execution_id=execution.id, cache_puts=[CachePut(key, "mod.task", {"o0": Scalar(2)})])
    )
    store.put_cache([CachePut(key, "mod.task", {"o0": Scalar(3)})])

    assert store.cache_lookup([key]) == {key: first}
    assert store.cache_lookup([key, "absent"]) == {key: first}
    assert store.cache_lookup(["absent"]) == {}
    assert store.cache_lookup([]) == {}


def test_cache_replace_overwrites_the_entry(store: SqlMetadataStore) -> None:
    execution = _execution()
    store.create_execution(execution, [])
    key = f"k-{uuid.uuid4().hex}"
    store.commit_tick(
        Tick(execution_id=execution.id, cache_puts=[CachePut(key, "mod.task", {"o0": Scalar(1)})])
    )
    store.commit_tick(
        Tick(
            execution_id=execution.id,
            cache_puts=[CachePut(key, "mod.task", {"o0": Scalar(2)}, replace=True)],
        )
    )

    assert store.cache_lookup([key]) == {key: {"o0": Scalar(2)}}


def test_cache_lookup_of_many_keys(store: SqlMetadataStore) -> None:
    prefix = uuid.uuid4().hex
    puts = [CachePut(f"{prefix}-{i}", "mod.task", {"o0": Scalar(i)}) for i in range(0, 1200, 2)]
    store.put_cache(puts)

    found = store.cache_lookup([f"{prefix}-{i}" for i in range(1200)])

    assert found == {p.key: p.outputs for p in puts}


def _spec() -> WorkflowSpec:
    int_t = LiteralType(kind="int")
    task = TaskSpec(
        name="mod.double",
        entry_point="mod:double",
        interface=Interface(inputs={"x": Parameter(type=int_t)}, outputs={"o0": int_t}),
    )
    return WorkflowSpec(
        name="mod.wf",
        interface=Interface(inputs={"x": Parameter(type=int_t)}, outputs={"o0": int_t}),
        nodes=(NodeSpec(id="n0", task="mod.double", name="double"),),
        outputs={"o0": OutputRef(node="n0", output="o0")},
        tasks={"mod.double": task},
    )


def test_workflow_spec_round_trip_and_second_put_is_a_no_op(store: SqlMetadataStore) -> None:
    spec = _spec()
    spec_hash = content_hash(spec)

    store.put_workflow_spec(spec_hash, spec)
    store.put_workflow_spec(spec_hash, spec)

    assert store.get_workflow_spec(spec_hash) == spec
    with pytest.raises(NotFoundError, match="0" * 64):
        store.get_workflow_spec("0" * 64)


def test_postgres_url_without_driver_uses_psycopg(postgres_url: str) -> None:
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")

    with SqlMetadataStore(plain) as store:
        assert store.engine.dialect.driver == "psycopg"
        assert store.list_executions(project="nobody") == []
