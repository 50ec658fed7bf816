"""Clearing the cache catalog by task and version, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests._postgres import PostgresServer
from updraft.model import Scalar
from updraft.store import CachePut, SqlMetadataStore
from updraft.store import _migrate as migrate


def _task() -> str:
    return f"mod.task_{uuid.uuid4().hex[:8]}"


def test_clear_removes_every_version_of_one_task_only(store: SqlMetadataStore) -> None:
    task, other = _task(), _task()
    store.put_cache([
        CachePut(f"{task}-a", task, {"o0": Scalar(1)}, version="1"),
        CachePut(f"{task}-b", task, {"o0": Scalar(2)}, version="2"),
        CachePut(f"{other}-a", other, {"o0": Scalar(3)}, version="1"),
    ])

    assert store.cache_clear(task) == 2

    assert store.cache_lookup([f"{task}-a", f"{task}-b"]) == {}
    assert store.cache_lookup([f"{other}-a"]) == {f"{other}-a": {"o0": Scalar(3)}}
    assert store.cache_clear(task) == 0


def test_clear_one_version_keeps_the_others(store: SqlMetadataStore) -> None:
    task = _task()
    store.put_cache([
        CachePut(f"{task}-1a", task, {"o0": Scalar(1)}, version="1"),
        CachePut(f"{task}-1b", task, {"o0": Scalar(2)}, version="1"),
        CachePut(f"{task}-2a", task, {"o0": Scalar(3)}, version="2"),
    ])

    assert store.cache_clear(task, version="1") == 2

    assert set(store.cache_lookup([f"{task}-1a", f"{task}-1b", f"{task}-2a"])) == {f"{task}-2a"}
    assert store.cache_clear(task, version="3") == 0


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no tables at all."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database()


def test_entries_written_before_versions_were_kept_survive_the_upgrade(empty_db: str) -> None:
    """A database at 0002 has cache rows without a version; upgrading keeps them usable, and
    clearing the whole task removes them."""
    from alembic import command

    db_url = empty_db
    command.upgrade(migrate.alembic_config(db_url), "0002")
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO cache (key, task_name, outputs, created_at) "
                "VALUES ('old', 'mod.old', :outputs, 0)"
            ),
            {"outputs": '{"o0":{"type":"scalar","value":5}}'},
        )
    engine.dispose()

    with SqlMetadataStore(db_url) as store:
        assert store.cache_lookup(["old"]) == {"old": {"o0": Scalar(5)}}
        assert store.cache_clear("mod.old", version="1") == 0
        assert store.cache_clear("mod.old") == 1
