"""Bring a database's schema to the version this code expects, with Alembic, run from code.

Opening a store must be cheap, so the usual case (the schema is already current) costs one
query and never imports Alembic. When work is needed, a lock is taken first (``BEGIN
IMMEDIATE`` on SQLite, a transaction-scoped advisory lock on PostgreSQL) and the version is
read again under it, so that several processes opening a new database at once create the
tables exactly once.

The migrations live in ``_migrations/`` inside the package; no ``alembic.ini`` is needed.
Other Alembic commands run the same way, e.g. to see the history::

    from alembic import command
    command.history(alembic_config("sqlite:///path/updraft.db"))
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from updraft.store._interface import SchemaVersionError

if TYPE_CHECKING:
    from alembic.config import Config

#: The newest revision in ``_migrations/versions``. A test keeps it equal to Alembic's head;
#: it lets `upgrade_to_head` skip loading Alembic when the database is already current.
HEAD_REVISION = "0004"

MIGRATIONS_DIR = Path(__file__).resolve().with_name("_migrations")

_VERSION_TABLE = "alembic_version"
#: Key of the PostgreSQL advisory lock held while migrating (any constant, the same everywhere).
_PG_LOCK_KEY = 0x7570_6472_6166_74


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration for the store's migrations, built in code.

    Args:
        url: the database, for Alembic commands that open their own connection.

    Returns:
        A `alembic.config.Config` whose ``script_location`` is the packaged migrations folder.
    """
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def current_revision(conn: sa.Connection) -> str | None:
    """The revision recorded in the database, or None when it has never been migrated."""
    if not sa.inspect(conn).has_table(_VERSION_TABLE):
        return None
    rows = conn.execute(sa.text(f"SELECT version_num FROM {_VERSION_TABLE}")).scalars().all()
    return rows[0] if len(rows) == 1 else None


def upgrade_to_head(engine: sa.Engine) -> None:
    """Create or upgrade the schema so that it is at `HEAD_REVISION`.

    Raises:
        SchemaVersionError: when the database carries a revision this code does not know,
            i.e. a newer updraft migrated it.
    """
    with engine.connect() as conn:
        if current_revision(conn) == HEAD_REVISION:
            return
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        found = current_revision(conn)
        if found is None and not sa.inspect(conn).get_table_names():
            _create_at_head(conn)
        elif found != HEAD_REVISION:
            _run_upgrade(conn, found, engine.url.render_as_string(hide_password=True))
        conn.commit()


def _create_at_head(conn: sa.Connection) -> None:
    """Create a new database's tables as they are at `HEAD_REVISION` and record that revision.

    This is what running every migration on an empty database gives (a test compares the
    two), without loading Alembic: the first run on a new machine stays quick.
    """
    from updraft.store._schema import metadata

    metadata.create_all(conn)
    version = sa.Table(
        _VERSION_TABLE,
        sa.MetaData(),
        sa.Column("version_num", sa.String(32), primary_key=True),
    )
    version.create(conn)
    conn.execute(version.insert().values(version_num=HEAD_REVISION))


def _run_upgrade(conn: sa.Connection, found: str | None, where: str) -> None:
    from alembic import command
    from alembic.util import CommandError

    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    try:
        command.upgrade(cfg, "head")
    except CommandError as exc:
        raise SchemaVersionError(
            f"the metadata store at {where} has schema revision {found!r}, which this updraft "
            f"does not know (the newest it knows is {HEAD_REVISION!r}): it was written by a "
            "newer updraft. Upgrade updraft, or point it at another database."
        ) from exc
