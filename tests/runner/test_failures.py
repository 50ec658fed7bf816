"""How the engine treats workers that die, time out or run out of memory (process executor)."""

from __future__ import annotations

import time
from pathlib import Path

import wf_failing

from tests._support import count_marks
from updraft.model import ExecutionPhase, NodePhase
from updraft.runner import run_entity


def test_a_worker_that_dies_is_a_system_failure_and_is_retried(marks: Path) -> None:
    result = run_entity(wf_failing.crashing, {"x": 1}, executor="process")
    assert result.python_outputs == 2
    node = result.document.nodes[0]
    assert node.attempts == 2 and node.system_failures == 1
    assert count_marks(marks, "crash_once") == 2


def test_a_task_over_its_timeout_is_killed_and_reported() -> None:
    started = time.monotonic()
    result = run_entity(wf_failing.too_slow, {}, executor="process")
    assert time.monotonic() - started < 15
    assert result.execution.phase == ExecutionPhase.FAILED
    node = result.document.nodes[0]
    assert node.phase == NodePhase.TIMED_OUT
    assert node.error is not None and "1" in node.error.message
    assert node.error.kind == "TIMED_OUT"


def test_a_task_over_its_memory_limit_fails_naming_the_limit() -> None:
    result = run_entity(wf_failing.too_big, {"megabytes": 500}, executor="process")
    assert result.execution.phase == ExecutionPhase.FAILED
    node = result.document.nodes[0]
    assert node.error is not None and node.error.kind == "OOM"
    assert "ran out of its 200Mi" in node.error.message
    assert result.execution.error is not None
    assert "ran out of its 200Mi" in result.execution.error.message


def test_a_task_under_its_memory_limit_runs() -> None:
    result = run_entity(wf_failing.too_big, {"megabytes": 50}, executor="process")
    assert result.python_outputs == 50 * 2**20
