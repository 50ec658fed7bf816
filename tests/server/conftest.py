"""Fixtures of the server tests: the REST application over a real store on SQLite and on
PostgreSQL, a project per test, and a registration built from tests/resources."""

from __future__ import annotations

import base64
import io
import sys
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from fastapi.testclient import TestClient  # noqa: E402

from tests._support import RESOURCES  # noqa: E402
from updraft.model import Registration  # noqa: E402
from updraft.server import create_app  # noqa: E402
from updraft.store import BlobStore, SqlMetadataStore  # noqa: E402


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Iterator[SqlMetadataStore]:
    (tmp_path / "db").mkdir(exist_ok=True)
    s = SqlMetadataStore(db_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def blobs(tmp_path: Path) -> BlobStore:
    return BlobStore(str(tmp_path / "blobs"))


@pytest.fixture
def home(tmp_path: Path) -> str:
    return str(tmp_path / "home")


@pytest.fixture
def client(store: SqlMetadataStore, blobs: BlobStore, home: str) -> Iterator[TestClient]:
    """A client of an application without an engine: executions stay QUEUED."""
    app = create_app(store, blobs, None, home=home)
    with TestClient(app) as c:
        yield c


@pytest.fixture
def project(client: TestClient) -> str:
    """A new project, unique per test (the PostgreSQL database is shared)."""
    pid = f"p-{uuid.uuid4().hex[:10]}"
    response = client.post("/api/v1/projects", json={"id": pid, "description": "tests"})
    assert response.status_code == 201, response.text
    return pid


def resources_archive() -> bytes:
    """The code package: a zip of tests/resources, the project root of its modules."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path in sorted(RESOURCES.glob("*.py")):
            zf.write(path, path.name)
    return buffer.getvalue()


def registration_body(
    project: str, version: str, workflows: tuple[Any, ...] | None = None, **extra: Any
) -> dict[str, Any]:
    """A register request for workflows of tests/resources (by default wf_basic's chain,
    shapes and fan_out) and the code archive."""
    if workflows is None:
        import wf_basic

        workflows = (wf_basic.chain, wf_basic.shapes, wf_basic.fan_out)
    specs = tuple(w.spec for w in workflows)
    tasks = tuple({t.name: t for s in specs for t in s.tasks.values()}.values())
    registration = Registration(
        project=project, domain="development", version=version, tasks=tasks, workflows=specs,
        **extra,
    )
    return {
        "registration": msgspec.to_builtins(registration),
        "archive": base64.b64encode(resources_archive()).decode(),
    }


@pytest.fixture
def registered(client: TestClient, project: str) -> str:
    """``project`` with wf_basic's workflows registered as version v1; returns the project."""
    response = client.post("/api/v1/register", json=registration_body(project, "v1"))
    assert response.status_code == 200, response.text
    return project
