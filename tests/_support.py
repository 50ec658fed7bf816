"""Helpers shared by test modules (import as ``tests._support``)."""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).parent / "resources"


def count_marks(folder: Path, name: str) -> int:
    """How many times a fixture task recorded ``name`` (see tests/resources/wf_failing.py)."""
    path = folder / name
    return len(path.read_text()) if path.exists() else 0
