"""The server's engine: executions survive a kill -9 of the process that drove them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import wf_failing

from tests._support import RESOURCES, count_marks
from updraft.model import ExecutionPhase, NodePhase
from updraft.runner import create_execution
from updraft.server._engine_service import EngineService
from updraft.store import open_store


def _wait(condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_killed_engine_is_taken_over_and_finished_nodes_do_not_rerun(
    tmp_path: Path, marks: Path
) -> None:
    home = str(tmp_path / "server-home")
    store, blobs = open_store(home)
    execution = create_execution(wf_failing.chain_of_20, {}, store, blobs, launched_by="api")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(RESOURCES), os.getcwd()]))
    first = subprocess.Popen(
        [sys.executable, str(RESOURCES / "engine_service_main.py"), home, "2"], env=env
    )
    try:
        _wait(lambda: count_marks(marks, "quick-8") == 1)
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    done_before = {
        n.node_id for n in store.get_nodes(execution.id) if n.phase == NodePhase.SUCCEEDED
    }
    assert 5 <= len(done_before) < 20

    second = EngineService(store, blobs, owner="second", lease_s=2, poll_s=0.2)
    second.start()
    try:
        _wait(lambda: store.get_execution(execution.id).phase.terminal)
    finally:
        second.stop()

    final = store.get_document(execution.id)
    assert final.execution.phase == ExecutionPhase.SUCCEEDED
    assert final.execution.outputs is not None
    assert final.execution.outputs["o0"].value == 20  # type: ignore[union-attr]
    finished_once = [
        e.node_id for e in store.list_events(execution.id)
        if e.node_id is not None and e.phase == "SUCCEEDED"
    ]
    assert sorted(finished_once) == sorted(n.node_id for n in final.nodes)
    for node_id in done_before:
        step = int(node_id[1:])
        assert count_marks(marks, f"quick-{step}") == 1, node_id


def test_terminate_aborts_a_running_execution(tmp_path: Path, marks: Path) -> None:
    store, blobs = open_store(str(tmp_path / "home"))
    execution = create_execution(wf_failing.chain_of_20, {}, store, blobs, launched_by="api")
    service = EngineService(store, blobs, lease_s=5, poll_s=0.1)
    service.start()
    try:
        _wait(lambda: count_marks(marks, "quick-2") == 1)
        service.terminate(execution.id, "stopped by the test")
        record = store.get_execution(execution.id)
        assert record.phase == ExecutionPhase.ABORTED
        assert record.error is not None and record.error.message == "stopped by the test"
        time.sleep(0.5)
        assert count_marks(marks, "quick-5") == 0  # nothing ran after the abort
        phases = {n.phase for n in store.get_nodes(execution.id)}
        assert NodePhase.QUEUED not in phases and NodePhase.RUNNING not in phases
    finally:
        service.stop()


def test_terminate_without_a_running_engine_records_the_abort(tmp_path: Path) -> None:
    store, blobs = open_store(str(tmp_path / "home"))
    execution = create_execution(wf_failing.chain_of_20, {}, store, blobs, launched_by="api")
    EngineService(store, blobs).terminate(execution.id, "never started")
    assert store.get_execution(execution.id).phase == ExecutionPhase.ABORTED


def test_the_engine_survives_a_store_that_fails_for_a_while(
    tmp_path: Path, monkeypatch, marks: Path  # type: ignore[no-untyped-def]
) -> None:
    import updraft.server._engine_service as service_module

    monkeypatch.setattr(service_module, "_RESTART_DELAY_S", 0.1)
    store, blobs = open_store(str(tmp_path / "home"))
    failures = {"left": 3}
    claim = store.claim_executions

    def flaky_claim(owner: str, lease_s: float, limit: int) -> list[str]:
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("the database went away")
        return claim(owner, lease_s, limit)

    monkeypatch.setattr(store, "claim_executions", flaky_claim)
    execution = create_execution(wf_failing.cached_chain, {"x": 2}, store, blobs)
    service = EngineService(store, blobs, lease_s=5, poll_s=0.05)
    service.start()
    try:
        _wait(lambda: store.get_execution(execution.id).phase.terminal)
    finally:
        service.stop()
    assert failures["left"] == 0
    assert store.get_execution(execution.id).phase == ExecutionPhase.SUCCEEDED


def test_a_server_sharing_the_home_leaves_local_runs_to_their_process(
    updraft_home: Path, marks: Path
) -> None:
    from updraft.runner import local_store, run_entity

    store, blobs = local_store()
    service = EngineService(store, blobs, lease_s=5, poll_s=0.05)
    service.start()
    try:
        result = run_entity(wf_failing.chain_of_20, {}, executor="process")
    finally:
        service.stop()
    assert result.python_outputs == 20
    assert all(len(n.history) == 1 for n in result.document.nodes)
    assert all(count_marks(marks, f"quick-{i}") == 1 for i in range(20))


def test_resuming_an_execution_a_server_drives_is_refused(
    updraft_home: Path, marks: Path
) -> None:
    import pytest

    from updraft.runner import ExecutionBusyError, local_store, resume

    store, blobs = local_store()
    execution = create_execution(wf_failing.chain_of_20, {}, store, blobs, launched_by="api")
    service = EngineService(store, blobs, owner="the-server", lease_s=30, poll_s=0.05)
    service.start()
    try:
        _wait(lambda: count_marks(marks, "quick-1") == 1)
        with pytest.raises(ExecutionBusyError, match="driven by the-server"):
            resume(execution.id, executor="inline")
    finally:
        service.stop()
