"""A real ``updraft serve`` for the server benchmark: its database, its process, its workflows.

The figures are the server's as a user runs it, so the benchmark starts the command itself in
a subprocess on a free loopback port, over a fresh home and either the home's SQLite file or a
fresh PostgreSQL database that is dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

BENCH_DIR = Path(__file__).resolve().parent
WORKFLOWS_FILE = BENCH_DIR / "server" / "bench_workflows.py"
PROJECT, DOMAIN, VERSION = "default", "development", "v1"
ONE_TASK = "bench_workflows.one_task"
CHAIN_1000 = "bench_workflows.chain_1000"
MAPPED = "bench_workflows.mapped"
API = "/api/v1"
#: Where the benchmark's PostgreSQL databases are created (trust auth, as in the tests).
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
_START_TIMEOUT_S = 60.0


@dataclass
class Server:
    """A started ``updraft serve``: where it answers and what it runs on."""

    endpoint: str
    pid: int
    backend: str
    db_url: str
    home: str
    log_path: str


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty database on the local PostgreSQL; yields its SQLAlchemy URL and drops
    the database afterwards."""
    import psycopg

    name = f"updraft_bench_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise SystemExit(
            f"server benchmark: cannot reach PostgreSQL at {POSTGRES_ADMIN} ({exc}); start it "
            "(user postgres, trust auth on 127.0.0.1:5432) or pass --backend sqlite"
        ) from None
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait_until_up(process: subprocess.Popen[bytes], endpoint: str, log_path: str) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    while True:
        try:
            if httpx.get(f"{endpoint}{API}/domains", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = Path(log_path).read_text(errors="replace")[-4000:]
            raise SystemExit(
                f"server benchmark: updraft serve did not answer on {endpoint} within "
                f"{_START_TIMEOUT_S:.0f} s (exit code {process.poll()}); its log:\n{log}"
            )
        time.sleep(0.1)


@contextmanager
def running_server(backend: str) -> Iterator[Server]:
    """Start ``updraft serve`` over a fresh home on ``backend`` (sqlite or postgres) and stop
    it (SIGTERM, then SIGKILL after 20 s) afterwards."""
    with (
        tempfile.TemporaryDirectory(prefix=f"updraft-server-bench-{backend}-") as home,
        postgres_database() if backend == "postgres" else _sqlite_url(home) as db_url,
    ):
        if True:
            port = _free_port()
            endpoint = f"http://127.0.0.1:{port}"
            log_path = os.path.join(home, "serve.log")
            command = [sys.executable, "-m", "updraft.cli", "serve", "--home", home,
                       "--port", str(port), "--db", db_url]
            env = dict(os.environ, UPDRAFT_HOME=home)
            env.pop("UPDRAFT_TOKEN", None)
            with open(log_path, "wb") as log:
                process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
            try:
                _wait_until_up(process, endpoint, log_path)
                yield Server(endpoint, process.pid, backend, db_url, home, log_path)
            finally:
                process.terminate()
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(10)


@contextmanager
def _sqlite_url(home: str) -> Iterator[str]:
    yield f"sqlite:///{os.path.join(home, 'updraft.db')}"


def register_workflows(endpoint: str) -> None:
    """Register `bench_workflows` (its workflows and their task) under version v1."""
    sys.path.insert(0, str(WORKFLOWS_FILE.parent))
    from updraft.client import Client
    from updraft.model import Registration
    from updraft.runner import build_package

    build = build_package([str(WORKFLOWS_FILE)], version=VERSION)
    registration = Registration(
        project=PROJECT, domain=DOMAIN, version=build.version, tasks=tuple(build.tasks),
        workflows=tuple(build.workflows), launch_plans=tuple(build.launch_plans),
    )
    with Client(endpoint) as client:
        client.register(registration, build.archive)
