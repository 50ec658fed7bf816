"""One SQLite file shared by threads and processes: a local run and the server at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from updraft.model import Event, Execution, NodeExecution, NodePhase, Scalar
from updraft.store import SqlMetadataStore, Tick

TICKS = 150


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _start(store: SqlMetadataStore, execution_id: str) -> None:
    store.create_execution(
        Execution(id=execution_id, workflow="wf", spec_hash="h", inputs={"x": Scalar(1)}),
        [NodeExecution(node_id="n0", name="t")],
    )


def _tick(execution_id: str, i: int) -> Tick:
    return Tick(
        execution_id=execution_id,
        nodes=[NodeExecution(node_id="n0", name="t", phase=NodePhase.RUNNING, attempts=i)],
        events=[
            Event(execution_id=execution_id, phase="RUNNING", at=time.time(), attempt=i),
            Event(execution_id=execution_id, phase="SUBMITTED", at=time.time(), attempt=i),
        ],
    )


def test_two_stores_commit_from_two_threads_without_lock_errors(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    stores = [SqlMetadataStore(_url(path)), SqlMetadataStore(_url(path))]
    errors: list[BaseException] = []

    def drive(store: SqlMetadataStore, execution_id: str) -> None:
        try:
            _start(store, execution_id)
            for i in range(TICKS):
                store.commit_tick(_tick(execution_id, i))
                store.get_nodes(execution_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=drive, args=(s, f"ex-{k}")) for k, s in enumerate(stores)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    for k in range(2):
        assert len(stores[0].list_events(f"ex-{k}")) == 2 * TICKS
        assert stores[1].get_nodes(f"ex-{k}")[0].attempts == TICKS - 1
    for store in stores:
        store.close()


def test_one_store_shared_by_many_threads(tmp_path: Path) -> None:
    store = SqlMetadataStore(_url(tmp_path / "u.db"))
    _start(store, "ex-shared")
    errors: list[BaseException] = []

    def drive(offset: int) -> None:
        try:
            for i in range(50):
                store.commit_tick(_tick("ex-shared", offset + i))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=drive, args=(k * 1000,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(store.list_events("ex-shared")) == 4 * 50 * 2
    store.close()


def test_a_second_process_writes_while_this_one_does(tmp_path: Path) -> None:
    path = tmp_path / "u.db"
    store = SqlMetadataStore(_url(path))
    script = textwrap.dedent(
        f"""
        import sys, time
        sys.path[:0] = {sys.path!r}
        from updraft.model import Event, Execution, NodeExecution, Scalar
        from updraft.store import SqlMetadataStore, Tick
        store = SqlMetadataStore({_url(path)!r})
        store.create_execution(
            Execution(id="ex-child", workflow="wf", spec_hash="h", inputs={{"x": Scalar(1)}}),
            [NodeExecution(node_id="n0", name="t")],
        )
        for i in range({TICKS}):
            store.commit_tick(Tick(execution_id="ex-child",
                events=[Event(execution_id="ex-child", phase="RUNNING", at=time.time())]))
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True)
    _start(store, "ex-parent")
    for i in range(TICKS):
        store.commit_tick(_tick("ex-parent", i))
    _, stderr = child.communicate(timeout=120)

    assert child.returncode == 0, stderr
    assert len(store.list_events("ex-child")) == TICKS
    assert len(store.list_events("ex-parent")) == 2 * TICKS
    store.close()


def test_sqlite_file_is_in_wal_mode_and_its_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "updraft.db"

    SqlMetadataStore(_url(path)).close()

    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_sqlite_enforces_foreign_keys(tmp_path: Path) -> None:
    store = SqlMetadataStore(_url(tmp_path / "u.db"))
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000
    store.close()
