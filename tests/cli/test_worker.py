"""``updraft worker``: a separate process drives the executions of a shared store."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import wf_basic
import wf_failing

from tests._support import count_marks
from updraft.model import ExecutionPhase, NodePhase
from updraft.runner import create_execution
from updraft.store import BlobStore, MetadataStore, open_store


def _wait(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def home(tmp_path: Path) -> Iterator[tuple[str, MetadataStore, BlobStore]]:
    path = str(tmp_path / "shared-home")
    store, blobs = open_store(path)
    yield path, store, blobs
    store.close()


def _start_worker(env: dict[str, str], home: str, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "updraft.cli", "worker", "--home", home, *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _stop(worker: subprocess.Popen[str]) -> tuple[int, str]:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
    try:
        _, err = worker.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        _, err = worker.communicate()
    return worker.returncode, err


def test_worker_runs_queued_executions_and_exits_0_on_sigterm(
    home: tuple[str, MetadataStore, BlobStore], cli_env: dict[str, str]
) -> None:
    path, store, blobs = home
    chain = create_execution(wf_basic.chain, {"x": 10}, store, blobs, launched_by="api")
    fan_out = create_execution(wf_basic.fan_out, {}, store, blobs, launched_by="api")

    worker = _start_worker(cli_env, path)
    try:
        _wait(lambda: all(
            store.get_execution(e.id).phase.terminal for e in (chain, fan_out)
        ))
    finally:
        code, err = _stop(worker)

    assert code == 0, err
    assert "stopped" in err
    done = store.get_execution(chain.id)
    assert done.phase == ExecutionPhase.SUCCEEDED
    assert done.outputs is not None and done.outputs["o0"].value == 15  # type: ignore[union-attr]
    other = store.get_execution(fan_out.id)
    assert other.phase == ExecutionPhase.SUCCEEDED
    assert other.outputs is not None and other.outputs["o0"].value == 55  # type: ignore[union-attr]


def test_a_stopped_worker_hands_its_execution_to_the_next_at_once(
    home: tuple[str, MetadataStore, BlobStore], cli_env: dict[str, str], marks: Path
) -> None:
    """SIGTERM releases the lease: the next worker need not wait for it to lapse, and the
    nodes the first one finished are not run again."""
    path, store, blobs = home
    cli_env["UPDRAFT_TEST_DIR"] = str(marks)
    execution = create_execution(wf_failing.chain_of_20, {}, store, blobs, launched_by="api")

    first = _start_worker(cli_env, path, "--lease-seconds", "120")
    try:
        _wait(lambda: count_marks(marks, "quick-5") == 1)
    finally:
        code, err = _stop(first)
    assert code == 0, err
    assert not store.get_execution(execution.id).phase.terminal
    done_before = {
        n.node_id for n in store.get_nodes(execution.id) if n.phase == NodePhase.SUCCEEDED
    }
    assert len(done_before) >= 5

    second = _start_worker(cli_env, path, "--lease-seconds", "120")
    try:
        _wait(lambda: store.get_execution(execution.id).phase.terminal, timeout=60)
    finally:
        code, err = _stop(second)

    assert code == 0, err
    final = store.get_execution(execution.id)
    assert final.phase == ExecutionPhase.SUCCEEDED
    assert final.outputs is not None and final.outputs["o0"].value == 20  # type: ignore[union-attr]
    for node_id in done_before:
        assert count_marks(marks, f"quick-{int(node_id[1:])}") == 1, node_id


def test_worker_refuses_a_lease_shorter_than_half_a_second(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "updraft.cli", "worker", "--home", str(tmp_path / "h"),
         "--lease-seconds", "0"],
        env=cli_env, capture_output=True, text=True, timeout=60,
    )

    assert done.returncode == 2
    assert "--lease-seconds" in done.stderr
