"""Shared fixtures: every test gets its own updraft home, so runs never see each other."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = str(Path(__file__).parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tests._support import RESOURCES  # noqa: E402

#: PostgreSQL fixtures (postgres_server, postgres_url, db_url) for every test package.
pytest_plugins = ["tests._postgres"]

if str(RESOURCES) not in sys.path:
    sys.path.insert(0, str(RESOURCES))


@pytest.fixture(autouse=True)
def updraft_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "updraft-home"
    monkeypatch.setenv("UPDRAFT_HOME", str(home))
    return home


@pytest.fixture
def marks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder where fixture tasks record their calls (see tests/resources/wf_failing.py)."""
    folder = tmp_path / "marks"
    folder.mkdir()
    monkeypatch.setenv("UPDRAFT_TEST_DIR", str(folder))
    return folder


@pytest.fixture
def cli_env(updraft_home: Path) -> dict[str, str]:
    """The environment for running the ``updraft`` command in a subprocess."""
    env = dict(os.environ)
    env["UPDRAFT_HOME"] = str(updraft_home)
    env["PYTHONPATH"] = os.pathsep.join([str(RESOURCES), env.get("PYTHONPATH", "")])
    return env
