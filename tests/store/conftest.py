"""Fixtures of the store tests: every metadata-store test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:  # pytest started as a script: make `tests._postgres` importable
    sys.path.insert(0, _ROOT)

from updraft.store import SqlMetadataStore  # noqa: E402


@pytest.fixture
def store(db_url: str) -> Iterator[SqlMetadataStore]:
    """An open metadata store on each backend."""
    s = SqlMetadataStore(db_url)
    try:
        yield s
    finally:
        s.close()
