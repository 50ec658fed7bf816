"""Execution leases: two engine loops (threads, store objects, servers) never hold one
execution at once, and a lapsed lease passes to another loop. Each test has a database of
its own, since claiming takes every unfinished execution in it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests._postgres import PostgresServer
from updraft.model import Execution, ExecutionPhase
from updraft.store import SqlMetadataStore, Tick

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'leases.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database()


@pytest.fixture
def stores(fresh_url: str) -> Iterator[tuple[SqlMetadataStore, SqlMetadataStore]]:
    """Two store objects on one database, as two server processes would have."""
    with SqlMetadataStore(fresh_url) as a, SqlMetadataStore(fresh_url) as b:
        yield a, b


def _create(store: SqlMetadataStore, count: int, phase: ExecutionPhase = ExecutionPhase.QUEUED,
            start: int = 0) -> list[str]:
    ids = []
    for i in range(start, start + count):
        execution = Execution(
            id=f"ex-{i:03d}", workflow="wf", spec_hash="h", inputs={}, phase=phase,
            created_at=T0 + timedelta(seconds=i),
        )
        store.create_execution(execution, [])
        ids.append(execution.id)
    return ids


def test_claims_unfinished_executions_oldest_first(
    stores: tuple[SqlMetadataStore, SqlMetadataStore],
) -> None:
    a, _ = stores
    queued = _create(a, 3)
    running = _create(a, 1, ExecutionPhase.RUNNING, start=3)
    _create(a, 1, ExecutionPhase.SUCCEEDED, start=4)
    _create(a, 1, ExecutionPhase.FAILED, start=5)

    assert a.claim_executions("loop-a", 30, limit=2) == queued[:2]
    assert a.claim_executions("loop-a", 30, limit=10) == [queued[2], *running]
    assert a.claim_executions("loop-a", 30, limit=10) == []
    assert a.claim_executions("loop-a", 30, limit=0) == []


def test_a_held_lease_is_not_claimed_by_another_owner(
    stores: tuple[SqlMetadataStore, SqlMetadataStore],
) -> None:
    a, b = stores
    ids = _create(a, 2)

    assert a.claim_executions("loop-a", 30, limit=1) == ids[:1]
    assert b.claim_executions("loop-b", 30, limit=10) == ids[1:]
    assert b.renew_leases("loop-b", ids, 30) == ids[1:]
    assert a.renew_leases("loop-a", ids, 30) == ids[:1]


def test_an_engine_tick_keeps_the_lease(stores: tuple[SqlMetadataStore, SqlMetadataStore]) -> None:
    a, b = stores
    [execution_id] = _create(a, 1)
    a.claim_executions("loop-a", 30, limit=1)
    running = Execution(
        id=execution_id, workflow="wf", spec_hash="h", inputs={},
        phase=ExecutionPhase.RUNNING, created_at=T0,
    )

    a.commit_tick(Tick(execution_id=execution_id, execution=running))

    assert b.claim_executions("loop-b", 30, limit=10) == []
    assert a.renew_leases("loop-a", [execution_id], 30) == [execution_id]


def test_a_lapsed_lease_passes_to_another_owner(
    stores: tuple[SqlMetadataStore, SqlMetadataStore],
) -> None:
    a, b = stores
    [execution_id] = _create(a, 1)
    assert a.claim_executions("loop-a", 0.2, limit=1) == [execution_id]
    assert b.claim_executions("loop-b", 30, limit=1) == []

    time.sleep(0.3)

    assert b.claim_executions("loop-b", 30, limit=1) == [execution_id]
    # The first owner learns that it lost the execution when it renews.
    assert a.renew_leases("loop-a", [execution_id], 30) == []
    assert b.renew_leases("loop-b", [execution_id], 30) == [execution_id]


def test_a_lapsed_lease_nobody_took_is_renewed(
    stores: tuple[SqlMetadataStore, SqlMetadataStore],
) -> None:
    a, _ = stores
    [execution_id] = _create(a, 1)
    a.claim_executions("loop-a", 0.05, limit=1)
    time.sleep(0.1)

    assert a.renew_leases("loop-a", [execution_id, "ex-unknown"], 30) == [execution_id]


def test_a_released_execution_is_claimable_at_once(
    stores: tuple[SqlMetadataStore, SqlMetadataStore],
) -> None:
    a, b = stores
    [execution_id] = _create(a, 1)
    a.claim_executions("loop-a", 30, limit=1)

    b.release_lease("loop-b", execution_id)  # not b's: changes nothing
    assert b.claim_executions("loop-b", 30, limit=1) == []
    a.release_lease("loop-a", execution_id)

    assert b.claim_executions("loop-b", 30, limit=1) == [execution_id]


def test_concurrent_claims_never_hand_out_one_execution_twice(
    stores: tuple[SqlMetadataStore, SqlMetadataStore],
) -> None:
    a, b = stores
    ids = _create(a, 60)
    claimed: dict[str, list[str]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def claim(store: SqlMetadataStore, owner: str) -> None:
        got: list[str] = []
        try:
            start.wait()
            while batch := store.claim_executions(owner, 30, limit=3):
                got.extend(batch)
        except BaseException as exc:
            errors.append(exc)
        claimed[owner] = got

    # Two threads on each store object: contention within a process and between objects.
    threads = [
        threading.Thread(target=claim, args=(store, f"{name}-{i}"))
        for name, store in (("a", a), ("b", b))
        for i in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    everything = [i for got in claimed.values() for i in got]
    assert sorted(everything) == ids  # each one exactly once
    for owner, got in claimed.items():
        store = a if owner.startswith("a") else b
        assert store.renew_leases(owner, ids, 30) == sorted(got)


def test_claim_needs_an_owner_and_a_positive_lease(
    stores: tuple[SqlMetadataStore, SqlMetadataStore],
) -> None:
    a, _ = stores
    with pytest.raises(ValueError, match="owner=''"):
        a.claim_executions("", 30, limit=1)
    with pytest.raises(ValueError, match="lease_s=0"):
        a.claim_executions("loop-a", 0, limit=1)


def test_releasing_all_of_an_owners_leases(
    stores: tuple[SqlMetadataStore, SqlMetadataStore],
) -> None:
    a, b = stores
    ids = _create(a, 3)
    assert a.claim_executions("loop-a", 30, limit=2) == ids[:2]
    assert b.claim_executions("loop-b", 30, limit=5) == ids[2:]

    assert a.release_all_leases("loop-a") == 2

    assert a.claim_executions("loop-a", 30, limit=5) == ids[:2]
    assert a.renew_leases("loop-b", ids, 30) == [ids[2]]
