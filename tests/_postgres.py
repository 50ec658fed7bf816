"""Throwaway PostgreSQL databases for tests, on the real server at 127.0.0.1:5432.

Import the fixtures into a ``conftest.py`` to use them::

    from tests._postgres import postgres_server, postgres_url  # noqa: F401

``postgres_url`` is one fresh database for the whole test session (tests that share it use
unique ids); ``postgres_server.create_database()`` makes another empty one, e.g. to test
migrations. Every database made here is dropped when the session ends. When the server does
not answer, the fixture tries to start the local cluster once, and skips with the reason if
that fails.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

HOST = os.environ.get("UPDRAFT_TEST_PGHOST", "127.0.0.1")
PORT = int(os.environ.get("UPDRAFT_TEST_PGPORT", "5432"))
USER = os.environ.get("UPDRAFT_TEST_PGUSER", "postgres")
_ADMIN_DB = "postgres"
_START_WAIT_S = 30.0


def _admin_dsn() -> str:
    return f"host={HOST} port={PORT} user={USER} dbname={_ADMIN_DB} connect_timeout=3"


def _answers() -> bool:
    import psycopg

    try:
        psycopg.connect(_admin_dsn(), autocommit=True).close()
    except psycopg.OperationalError:
        return False
    return True


def _start_local_cluster() -> str:
    """Start the Debian-style cluster(s) under /etc/postgresql; return what went wrong."""
    try:
        versions = sorted(os.listdir("/etc/postgresql"))
    except OSError:
        return "no /etc/postgresql to start a cluster from"
    problems = []
    for version in versions:
        proc = subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if proc.returncode != 0:
            problems.append(f"pg_ctlcluster {version} main start: {proc.stderr.strip()}")
    deadline = time.monotonic() + _START_WAIT_S
    while time.monotonic() < deadline:
        if _answers():
            return ""
        time.sleep(0.3)
    return "; ".join(problems) or f"the server did not answer within {_START_WAIT_S:.0f} s"


def ensure_postgres() -> str:
    """Make sure PostgreSQL answers; return "" when it does, else why it does not."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'updraft[postgres]')"
    if _answers():
        return ""
    try:
        problem = _start_local_cluster()
    except (OSError, subprocess.SubprocessError) as exc:
        problem = str(exc)
    return f"PostgreSQL at {HOST}:{PORT} does not answer ({problem})" if problem else ""


class PostgresServer:
    """Creates uniquely named databases and drops them all at the end of the session."""

    def __init__(self) -> None:
        self._created: list[str] = []

    def url_of(self, database: str) -> str:
        """The SQLAlchemy URL (psycopg 3 driver) of ``database`` on this server."""
        return f"postgresql+psycopg://{USER}@{HOST}:{PORT}/{database}"

    def create_database(self) -> str:
        """A new, empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = f"updraft_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self._created.append(name)
        return self.url_of(name)

    def drop_all(self) -> None:
        """Drop every database this object created, disconnecting whoever still uses it."""
        import psycopg

        with psycopg.connect(_admin_dsn(), autocommit=True) as conn:
            for name in self._created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._created.clear()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The local PostgreSQL server, started when needed; skips when it cannot be reached."""
    problem = ensure_postgres()
    if problem:
        pytest.skip(problem)
    server = PostgresServer()
    try:
        yield server
    finally:
        server.drop_all()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """A fresh database for the test session, as a SQLAlchemy URL."""
    return postgres_server.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL: a new SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'updraft.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url
