"""Running workflows locally through the engine: outputs, retries, failures, cache, resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import wf_basic
import wf_failing

from tests._support import RESOURCES, count_marks
from updraft import task, workflow
from updraft.model import CacheStatus, ExecutionPhase, NodePhase, Outcome
from updraft.runner import ExecutionFailedError, local_store, run_entity

EXECUTORS = ["inline", "process"]


@pytest.mark.parametrize("executor", EXECUTORS)
def test_chain_fan_out_and_shapes(executor: str) -> None:
    assert run_entity(wf_basic.chain, {"x": 10}, executor=executor).python_outputs == 15
    assert run_entity(wf_basic.fan_out, {}, executor=executor).python_outputs == 55
    q, r, mean, text = run_entity(wf_basic.shapes, {"a": 7}, executor=executor).python_outputs
    assert (q, r, mean, text) == (3, 1, 2.0, "hello updraft!")


def test_calling_a_workflow_runs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPDRAFT_EXECUTOR", "inline")
    assert wf_basic.chain(x=1) == 6
    assert wf_basic.chain() == 5


def test_calling_a_task_outside_a_workflow_is_a_plain_call() -> None:
    assert wf_basic.inc(x=1) == 2
    assert wf_basic.divmod_task(a=7, b=2) == (3, 1)


def test_execution_is_recorded_with_nodes_and_events() -> None:
    result = run_entity(wf_basic.chain, {"x": 1}, executor="inline")
    store = local_store()[0]
    document = store.get_document(result.execution.id)
    assert document.execution.phase == ExecutionPhase.SUCCEEDED
    assert [n.node_id for n in document.nodes] == ["n0", "n1", "n2", "n3", "n4"]
    assert all(n.phase == NodePhase.SUCCEEDED and n.attempts == 1 for n in document.nodes)
    assert all(n.duration_s is not None for n in document.nodes)
    phases = [(e.node_id, e.phase) for e in store.list_events(result.execution.id)]
    assert (None, "RUNNING") in phases and (None, "SUCCEEDED") in phases
    assert ("n4", "RUNNING") in phases and ("n4", "SUCCEEDED") in phases
    assert store.list_executions()[0].id == result.execution.id


def test_context_names_execution_node_and_attempt() -> None:
    @workflow
    def who() -> str:
        return wf_basic.whoami()

    result = run_entity(who, {}, executor="process")
    assert result.python_outputs == f"{result.execution.id}/n0/1"


@pytest.mark.parametrize("executor", EXECUTORS)
def test_user_errors_are_retried_up_to_retries(executor: str, marks: Path) -> None:
    result = run_entity(wf_failing.retried, {"x": 4}, executor=executor)
    assert result.python_outputs == 40
    node = result.document.nodes[0]
    assert node.attempts == 3 and node.phase == NodePhase.SUCCEEDED
    assert count_marks(marks, "flaky") == 3
    assert [a.attempt for a in node.history] == [1, 2, 3]
    assert [a.outcome for a in node.history] == [
        Outcome.USER_ERROR, Outcome.USER_ERROR, Outcome.SUCCEEDED
    ]
    assert "not yet" in node.history[0].error.message
    assert all(a.started_at and a.ended_at for a in node.history)
    if executor == "process":
        assert all(a.worker_id.startswith("pid:") for a in node.history)


@pytest.mark.parametrize("executor", EXECUTORS)
def test_a_failing_task_fails_the_execution_with_its_traceback(
    executor: str, marks: Path
) -> None:
    result = run_entity(wf_failing.failing, {"x": 5}, executor=executor)
    assert result.execution.phase == ExecutionPhase.FAILED
    node = result.document.nodes[0]
    assert node.phase == NodePhase.FAILED and node.attempts == 2
    assert count_marks(marks, "always_fails") == 2
    error = result.execution.error
    assert error is not None and error.node == "n0"
    assert "ValueError: bad value 5" in error.message
    assert "wf_failing.py" in error.traceback and 'raise ValueError(f"bad value {x}")' in (
        error.traceback
    )
    with pytest.raises(ExecutionFailedError, match="bad value 5"):
        _ = result.python_outputs


def test_a_second_run_is_served_from_the_cache(marks: Path) -> None:
    first = run_entity(wf_failing.cached_chain, {"x": 1}, executor="process")
    assert first.python_outputs == 8
    assert [n.cache for n in first.document.nodes] == [CacheStatus.PUT] * 3
    second = run_entity(wf_failing.cached_chain, {"x": 1}, executor="process")
    assert second.python_outputs == 8
    assert [n.cache for n in second.document.nodes] == [CacheStatus.HIT] * 3
    assert [count_marks(marks, f"counted-{x}") for x in (1, 2, 4)] == [1, 1, 1]
    third = run_entity(wf_failing.cached_chain, {"x": 2}, executor="process")
    assert [n.cache for n in third.document.nodes] == [
        CacheStatus.HIT, CacheStatus.HIT, CacheStatus.PUT
    ]
    assert third.python_outputs == 16


def test_tasks_defined_in_a_test_are_shipped_by_value() -> None:
    @task
    def triple(x: int) -> int:
        return 3 * x

    @workflow
    def local_wf(x: int = 2) -> int:
        return triple(x=triple(x=x))

    assert local_wf.spec.tasks[triple.name].entry_point.endswith("triple")
    assert run_entity(local_wf, {}, executor="process").python_outputs == 18


def test_environment_is_set_for_the_task_only() -> None:
    @workflow
    def env_wf() -> tuple[str, str]:
        return wf_basic.read_env_set(), wf_basic.read_env()

    assert run_entity(env_wf, {}, executor="process").python_outputs == ("set-by-task", "")


def test_killed_run_resumes_without_rerunning_finished_nodes(
    marks: Path, cli_env: dict[str, str]
) -> None:
    cli_env["UPDRAFT_TEST_DIR"] = str(marks)
    proc = subprocess.Popen(
        [sys.executable, "-m", "updraft.cli", "run", str(RESOURCES / "wf_failing.py"),
         "slow_chain"],
        env=cli_env,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while count_marks(marks, "step-2") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = local_store()[0]
    execution = store.list_executions()[0]
    before = {n.node_id: n.phase for n in store.get_nodes(execution.id)}
    assert before["n0"] == NodePhase.SUCCEEDED and before["n5"] == NodePhase.QUEUED
    resumed = subprocess.run(
        [sys.executable, "-m", "updraft.cli", "run", "--resume", execution.id],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "o0: 6" in resumed.stdout
    assert count_marks(marks, "step-0") == 1  # finished before the kill: not run again
    assert count_marks(marks, "step-5") == 1


def test_nodes_after_a_failure_are_aborted_not_left_pending(marks: Path) -> None:
    result = run_entity(wf_failing.fails_early, {}, executor="inline")
    assert [n.phase for n in result.document.nodes] == [
        NodePhase.FAILED, NodePhase.ABORTED, NodePhase.ABORTED
    ]
    assert result.document.nodes[1].started_at is None


def test_resuming_a_failed_run_gives_fresh_retries_and_new_attempt_numbers(
    marks: Path,
) -> None:
    from updraft.runner import resume

    first = run_entity(wf_failing.failing, {"x": 2}, executor="process")
    assert first.document.nodes[0].attempts == 2
    again = resume(first.execution.id, executor="process")
    assert again.execution.id == first.execution.id
    assert again.execution.phase == ExecutionPhase.FAILED
    assert again.document.nodes[0].attempts == 4  # attempts 3 and 4: ids are never reused
    assert count_marks(marks, "always_fails") == 4
    events = local_store()[0].list_events(first.execution.id)
    assert sorted({e.attempt for e in events if e.node_id == "n0"}) == [1, 2, 3, 4]


def test_an_edited_module_runs_its_new_code_in_warm_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    module = tmp_path / "edited_wf.py"
    source = (
        "from updraft import task, workflow\n"
        "@task\ndef answer() -> int:\n    return {value}\n"
        "@workflow\ndef wf() -> int:\n    return answer()\n"
    )
    module.write_text(source.format(value=1))
    monkeypatch.syspath_prepend(str(tmp_path))
    edited = importlib.import_module("edited_wf")
    assert run_entity(edited.wf, {}, executor="process").python_outputs == 1
    module.write_text(source.format(value=22))
    os.utime(module, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    edited = importlib.reload(edited)
    assert run_entity(edited.wf, {}, executor="process").python_outputs == 22


def test_a_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="timeout must be over 0 seconds, got 0"):

        @task(timeout=0)
        def instant() -> int:
            return 1


def test_a_list_of_task_outputs_comes_back_as_a_list() -> None:
    @workflow
    def squares() -> list[int]:
        return [wf_basic.add(a=i, b=i) for i in range(4)]

    assert run_entity(squares, {}, executor="inline").python_outputs == [0, 2, 4, 6]


def test_prewarming_a_file_starts_the_worker_the_run_then_uses() -> None:
    from updraft.runner import _run, find_entity, load_file, prewarm_file

    path = str(RESOURCES / "wf_basic.py")
    prewarm_file(path, executor="process")
    executor = _run._local.executors["process"][1]
    deadline = time.monotonic() + 10
    while not executor.workers() and time.monotonic() < deadline:
        time.sleep(0.01)
    started = {w.pid for w in executor.workers()}
    assert len(started) == 1
    result = run_entity(find_entity(load_file(path), "chain"), {}, executor="process")
    assert result.python_outputs == 5
    assert {w.pid for w in executor.workers()} == started


def test_who_launched_is_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPDRAFT_EXECUTOR", "inline")
    wf_basic.chain(x=1)
    assert local_store()[0].list_executions()[0].launched_by == "api"
    assert run_entity(wf_basic.chain, {}).execution.launched_by == "cli"


def test_max_parallelism_caps_nodes_running_at_once(marks: Path) -> None:
    @workflow
    def wide() -> list[int]:
        return [wf_failing.step(x=i) for i in range(6)]

    result = run_entity(wide, {}, executor="process", max_parallelism=2)
    assert result.python_outputs == [1, 2, 3, 4, 5, 6]
    spans = [(a.started_at, a.ended_at) for n in result.document.nodes for a in n.history]
    for start, _ in spans:
        overlapping = sum(1 for s, e in spans if s <= start < e)
        assert overlapping <= 2


def test_overwrite_cache_recomputes_and_replaces_entries(marks: Path) -> None:
    run_entity(wf_failing.cached_chain, {"x": 1}, executor="inline")
    again = run_entity(wf_failing.cached_chain, {"x": 1}, executor="inline", overwrite_cache=True)
    assert [n.cache for n in again.document.nodes] == [CacheStatus.PUT] * 3
    assert count_marks(marks, "counted-1") == 2
    third = run_entity(wf_failing.cached_chain, {"x": 1}, executor="inline")
    assert [n.cache for n in third.document.nodes] == [CacheStatus.HIT] * 3
