"""Schema creation and upgrades: Alembic, run by the store itself when it opens a database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from tests._postgres import PostgresServer
from updraft.model import Execution
from updraft.store import SchemaVersionError, SqlMetadataStore
from updraft.store import _migrate as migrate
from updraft.store._schema import metadata

TABLES = {
    "workflow_specs", "executions", "node_executions", "events", "cache",
    "projects", "entities", "launch_plan_state", "schedule_fires", "map_batches",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    yield server.create_database()


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _versions(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    finally:
        engine.dispose()


def test_opening_an_empty_database_creates_the_schema(empty_db: str) -> None:
    assert _tables(empty_db) == set()

    SqlMetadataStore(empty_db).close()

    assert _tables(empty_db) == TABLES | {"alembic_version"}
    assert _versions(empty_db) == [migrate.HEAD_REVISION]


def test_reopening_does_not_migrate_again_and_keeps_data(
    empty_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SqlMetadataStore(empty_db) as store:
        store.create_execution(Execution(id="ex-1", workflow="wf", spec_hash="h", inputs={}), [])
    calls: list[object] = []
    monkeypatch.setattr(migrate, "_run_upgrade", lambda *args: calls.append(args))

    with SqlMetadataStore(empty_db) as store:
        assert store.get_execution("ex-1").workflow == "wf"

    assert calls == []
    assert _versions(empty_db) == [migrate.HEAD_REVISION]


def test_migrated_schema_matches_the_tables_the_code_uses(empty_db: str) -> None:
    SqlMetadataStore(empty_db).close()
    engine = sa.create_engine(empty_db)
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()

    assert differences == []


def test_head_revision_constant_is_alembics_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())

    assert script.get_heads() == [migrate.HEAD_REVISION]


def test_database_from_a_newer_updraft_is_refused_with_its_revision(empty_db: str) -> None:
    SqlMetadataStore(empty_db).close()
    engine = sa.create_engine(empty_db)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    engine.dispose()

    with pytest.raises(SchemaVersionError, match=r"'9999'.*newer updraft"):
        SqlMetadataStore(empty_db)


def test_concurrent_first_opens_create_the_schema_once(empty_db: str) -> None:
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            with SqlMetadataStore(empty_db) as store:
                store.list_executions()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert _versions(empty_db) == [migrate.HEAD_REVISION]



def test_running_every_migration_gives_the_schema_a_new_database_gets(empty_db: str) -> None:
    """A new database is created from the table definitions without Alembic; the migrations
    that upgrade older databases must arrive at exactly the same schema."""
    from alembic import command

    command.upgrade(migrate.alembic_config(empty_db), "head")
    engine = sa.create_engine(empty_db)
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        engine.dispose()

    assert differences == []
    assert _versions(empty_db) == [migrate.HEAD_REVISION]


def test_a_database_at_0001_with_executions_upgrades_in_place(empty_db: str) -> None:
    """An existing server's database keeps its executions; they become unnamed and unleased."""
    from alembic import command

    command.upgrade(migrate.alembic_config(empty_db), "0001")
    engine = sa.create_engine(empty_db)
    with engine.begin() as conn:
        for i in range(2):
            doc = Execution(id=f"old-{i}", workflow="wf", spec_hash="h", inputs={})
            conn.execute(
                sa.text(
                    "INSERT INTO executions (id, workflow, spec_hash, project, domain, phase, "
                    "launched_by, created_at, document) VALUES (:id, 'wf', 'h', 'default', "
                    "'development', 'QUEUED', 'cli', :at, :doc)"
                ),
                {"id": doc.id, "at": float(i), "doc": msgspec.json.encode(doc).decode()},
            )
    engine.dispose()

    with SqlMetadataStore(empty_db) as store:
        assert [e.id for e in store.list_executions()] == ["old-1", "old-0"]
        assert store.claim_executions("loop", 30, limit=5) == ["old-0", "old-1"]

    assert _versions(empty_db) == [migrate.HEAD_REVISION]
