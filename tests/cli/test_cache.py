"""``updraft cache clear``: forget a task's cached outputs so that the next run recomputes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests._support import RESOURCES, count_marks

FAILING = str(RESOURCES / "wf_failing.py")
TASK = "wf_failing.counted"


def updraft(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "updraft.cli", *args],
        env=env, capture_output=True, text=True, timeout=120,
    )


def _cache_statuses(env: dict[str, str]) -> list[str]:
    done = updraft(env, "run", "--json", FAILING, "cached_chain")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["execution"]["outputs"]["o0"]["value"] == 8
    return [node["cache"] for node in document["nodes"]]


def test_clear_makes_the_next_run_recompute(cli_env: dict[str, str], marks: Path) -> None:
    cli_env["UPDRAFT_TEST_DIR"] = str(marks)
    assert _cache_statuses(cli_env) == ["put", "put", "put"]
    assert _cache_statuses(cli_env) == ["hit", "hit", "hit"]
    assert count_marks(marks, "counted-1") == 1

    cleared = updraft(cli_env, "cache", "clear", TASK)

    assert cleared.returncode == 0, cleared.stderr
    assert cleared.stdout.strip() == f"removed 3 cache entries of task {TASK!r}"
    assert _cache_statuses(cli_env) == ["put", "put", "put"]
    assert count_marks(marks, "counted-1") == 2


def test_clear_by_version_removes_only_that_version(
    cli_env: dict[str, str], marks: Path
) -> None:
    cli_env["UPDRAFT_TEST_DIR"] = str(marks)
    _cache_statuses(cli_env)

    other = updraft(cli_env, "cache", "clear", TASK, "--version", "2")
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == f"removed 0 cache entries of task {TASK!r} version '2'"
    assert _cache_statuses(cli_env) == ["hit", "hit", "hit"]

    this = updraft(cli_env, "cache", "clear", TASK, "--version", "1")
    assert this.stdout.strip() == f"removed 3 cache entries of task {TASK!r} version '1'"
    assert _cache_statuses(cli_env) == ["put", "put", "put"]


def test_clearing_an_unknown_task_says_what_a_task_name_looks_like(
    cli_env: dict[str, str]
) -> None:
    done = updraft(cli_env, "cache", "clear", "counted")

    assert done.returncode == 0
    assert done.stdout.strip() == "removed 0 cache entries of task 'counted'"
    assert "module" in done.stderr and "workflows.example.draw" in done.stderr
