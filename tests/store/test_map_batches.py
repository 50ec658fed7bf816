"""Packed map elements in the metadata store: one row per batch of elements, written by the
engine's ticks and read back per execution or per map node, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from updraft.model import (
    Blob,
    CacheStatus,
    ErrorInfo,
    Event,
    Execution,
    MapBatch,
    NodeExecution,
    NodePhase,
    Outcome,
    Scalar,
)
from updraft.store import CachePut, NotFoundError, SqlMetadataStore, Tick


def _execution(store: SqlMetadataStore, *node_ids: str) -> str:
    execution_id = f"ex-{uuid.uuid4().hex[:12]}"
    store.create_execution(
        Execution(id=execution_id, workflow="wf.squares", spec_hash="a" * 64, inputs={}),
        [NodeExecution(node_id=n, name=f"task_{n}", kind="map") for n in node_ids],
    )
    return execution_id


def _started(node_id: str, batch: int, indices: list[int]) -> MapBatch:
    """A batch as the engine writes it when it hands the batch to a worker."""
    return MapBatch(node_id=node_id, batch=batch, indices=indices,
                    attempts=[1] * len(indices), outcomes=[None] * len(indices),
                    outputs=[None] * len(indices), errors=[None] * len(indices),
                    started_at=100.0 + batch)


def _ended(started: MapBatch) -> MapBatch:
    """The same batch once its result came: every element squared its index."""
    n = len(started.indices)
    return MapBatch(node_id=started.node_id, batch=started.batch, indices=started.indices,
                    attempts=started.attempts, outcomes=[Outcome.SUCCEEDED] * n,
                    outputs=[{"o0": Scalar(i * i)} for i in started.indices],
                    errors=[None] * n, started_at=started.started_at,
                    ended_at=started.started_at + 1, worker_id="pid:42")


def test_a_batch_round_trips_with_every_field(store: SqlMetadataStore) -> None:
    execution_id = _execution(store, "n1")
    batch = MapBatch(
        node_id="n1",
        batch=3,
        indices=[7, 8, 9],
        attempts=[2, 1, 1],
        outcomes=[Outcome.SUCCEEDED, Outcome.USER_ERROR, None],
        outputs=[
            {"o0": Blob(uri="/blobs/ex/n1/b3/0/x.parquet", hash="f" * 64, kind="dataframe",
                        format="parquet", size=12)},
            None,
            None,
        ],
        errors=[None, ErrorInfo(kind="USER_ERROR", message="ValueError: bad 8",
                                traceback="Traceback ...\nValueError: bad 8"), None],
        cache=CacheStatus.PUT,
        started_at=1.5,
        ended_at=2.5,
        worker_id="pid:77",
        log_uri="/logs/ex/n1-b3.log",
    )

    store.commit_tick(Tick(execution_id=execution_id, batches=[batch]))

    assert store.get_map_batches(execution_id) == [batch]


def test_a_batch_written_again_when_it_ends_replaces_its_start(
    store: SqlMetadataStore,
) -> None:
    execution_id = _execution(store, "n1")
    started = _started("n1", 0, [0, 1, 2])
    store.commit_tick(Tick(execution_id=execution_id, batches=[started]))
    assert store.get_map_batches(execution_id) == [started]

    store.commit_tick(Tick(execution_id=execution_id, batches=[_ended(started)]))

    (stored,) = store.get_map_batches(execution_id)
    assert stored.outcomes == [Outcome.SUCCEEDED] * 3
    assert stored.outputs == [{"o0": Scalar(0)}, {"o0": Scalar(1)}, {"o0": Scalar(4)}]
    assert stored.ended_at == 101.0


def test_the_last_state_of_a_batch_in_one_tick_wins(store: SqlMetadataStore) -> None:
    execution_id = _execution(store, "n1")
    started = _started("n1", 0, [0, 1])

    store.commit_tick(Tick(execution_id=execution_id, batches=[started, _ended(started)]))

    assert store.get_map_batches(execution_id) == [_ended(started)]


def test_batches_come_ordered_by_node_then_batch_and_filter_by_node(
    store: SqlMetadataStore,
) -> None:
    execution_id = _execution(store, "n1", "n2")
    written = [_started("n2", 1, [2, 3]), _started("n1", 2, [4]), _started("n2", 0, [0, 1]),
               _started("n1", 0, [0, 1]), _started("n1", 1, [2, 3])]

    store.commit_tick(Tick(execution_id=execution_id, batches=written))

    every = store.get_map_batches(execution_id)
    assert [(b.node_id, b.batch) for b in every] == [
        ("n1", 0), ("n1", 1), ("n1", 2), ("n2", 0), ("n2", 1)]
    assert [b.indices for b in store.get_map_batches(execution_id, "n2")] == [[0, 1], [2, 3]]
    assert store.get_map_batches(execution_id, "n9") == []


def test_batches_are_kept_per_execution(store: SqlMetadataStore) -> None:
    first, second = _execution(store, "n1"), _execution(store, "n1")
    store.commit_tick(Tick(execution_id=first, batches=[_started("n1", 0, [0])]))
    store.commit_tick(Tick(execution_id=second, batches=[_started("n1", 0, [5, 6])]))

    assert [b.indices for b in store.get_map_batches(first)] == [[0]]
    assert [b.indices for b in store.get_map_batches(second)] == [[5, 6]]


def test_an_unknown_execution_is_named(store: SqlMetadataStore) -> None:
    with pytest.raises(NotFoundError, match="'ex-missing'"):
        store.get_map_batches("ex-missing")
    with pytest.raises(NotFoundError, match="'ex-missing'"):
        store.commit_tick(Tick(execution_id="ex-missing", batches=[_started("n1", 0, [0])]))


def test_a_tick_writes_its_batches_with_its_nodes(store: SqlMetadataStore) -> None:
    execution_id = _execution(store, "n1")
    running = NodeExecution(node_id="n1", name="task_n1", kind="map", phase=NodePhase.RUNNING)

    store.commit_tick(Tick(
        execution_id=execution_id, nodes=[running], batches=[_started("n1", 0, [0, 1])],
        events=[Event(execution_id=execution_id, phase="RUNNING", at=1.0, node_id="n1")]))

    assert store.get_nodes(execution_id)[0].phase == NodePhase.RUNNING
    assert len(store.get_map_batches(execution_id, "n1")) == 1


def test_a_tick_that_fails_writes_neither_its_nodes_nor_its_batches(db_url: str) -> None:
    class _FailingCacheWrite(SqlMetadataStore):
        """Its cache replace, the tick's last statement, hits a table that does not exist."""

        def __init__(self, url: str) -> None:
            super().__init__(url)
            self._replace_cache = sa.text("INSERT INTO no_such_table (key) VALUES (:key)")

    with _FailingCacheWrite(db_url) as store:
        execution_id = _execution(store, "n1")
        running = NodeExecution(node_id="n1", name="task_n1", kind="map",
                                phase=NodePhase.RUNNING)
        tick = Tick(execution_id=execution_id, nodes=[running],
                    batches=[_started("n1", 0, [0, 1])],
                    cache_puts=[CachePut(key="k", task_name="t", outputs={}, replace=True)])

        with pytest.raises(sa.exc.DBAPIError):
            store.commit_tick(tick)

        assert store.get_nodes(execution_id)[0].phase == NodePhase.QUEUED
        assert store.get_map_batches(execution_id) == []


def test_deleting_an_execution_deletes_its_batches(store: SqlMetadataStore) -> None:
    execution_id = _execution(store, "n1")
    store.commit_tick(Tick(execution_id=execution_id,
                           batches=[_started("n1", 0, [0]), _started("n1", 1, [1])]))

    with store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM executions WHERE id = :id"), {"id": execution_id})
        left = conn.execute(sa.text("SELECT count(*) FROM map_batches WHERE execution_id = :id"),
                            {"id": execution_id}).scalar()

    assert left == 0
    with pytest.raises(NotFoundError):
        store.get_map_batches(execution_id)
