"""ProcessExecutor: warm worker processes fed batches of attempts, and what happens when a
worker misbehaves."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from updraft.engine.executors import ProcessExecutor, kill_cgroup_leftovers
from updraft.model import (
    AttemptRequest,
    AttemptResult,
    Collection,
    Outcome,
    ResourceSpec,
    Scalar,
)

MakeRequest = Callable[..., AttemptRequest]
RunAll = Callable[..., dict[str, AttemptResult]]
RunOne = Callable[..., AttemptResult]


def _gone(pid: int) -> bool:
    """The process has exited (a zombie waiting for a reaper counts as exited)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _gone(pid):
            return True
        time.sleep(0.05)
    return False


def test_values_round_trip(process_executor: ProcessExecutor, make_request: MakeRequest,
                           run_all: RunAll) -> None:
    values = Collection((Scalar(3), Scalar(4)))
    requests = [make_request("add_one", x=1), make_request("shout", text="hi"),
                make_request("doubled", values=values)]

    results = run_all(process_executor, requests)

    assert [results[r.id].outputs for r in requests] == [
        {"o0": Scalar(2)}, {"o0": Scalar("HI!")}, {"o0": Collection((Scalar(6), Scalar(8)))}]
    result = results[requests[0].id]
    assert result.worker_id.startswith("pid:")
    assert int(result.worker_id[4:]) != os.getpid()
    assert result.queued_at <= result.started_at <= result.ended_at


def test_user_error_keeps_message_and_traceback(process_executor: ProcessExecutor,
                                                make_request: MakeRequest,
                                                run_one: RunOne) -> None:
    result = run_one(process_executor, make_request("check_positive", x=-1))

    assert result.outcome == Outcome.USER_ERROR
    assert result.error is not None
    assert result.error.message == "ValueError: x must be positive, got -1"
    assert "raise ValueError" in result.error.traceback
    assert "_worker.py" not in result.error.traceback


def test_many_attempts_in_one_batch_all_come_back(process_executor: ProcessExecutor,
                                                  make_request: MakeRequest,
                                                  run_all: RunAll) -> None:
    requests = [make_request("add_one", x=i) for i in range(10_000)]

    results = run_all(process_executor, requests, 60)

    assert len(results) == 10_000
    assert all(results[r.id].outputs == {"o0": Scalar(i + 1)} for i, r in enumerate(requests))
    assert len({r.worker_id for r in results.values()}) <= 2


def test_a_chain_of_attempts_reuses_a_warm_worker(process_executor: ProcessExecutor,
                                                  make_request: MakeRequest,
                                                  run_one: RunOne) -> None:
    value, workers = 0, set()
    for _ in range(50):
        result = run_one(process_executor, make_request("add_one", x=value))
        assert result.outputs is not None
        value = result.outputs["o0"].value  # type: ignore[union-attr,assignment]
        workers.add(result.worker_id)

    assert value == 50
    assert len(workers) == 1


def test_worker_that_exits_is_a_system_error_and_is_replaced(
    process_executor: ProcessExecutor, make_request: MakeRequest, run_one: RunOne
) -> None:
    dead = run_one(process_executor, make_request("exit_hard", code=3))
    after = run_one(process_executor, make_request("add_one", x=1))

    assert dead.outcome == Outcome.SYSTEM_ERROR
    assert dead.error is not None
    assert "died" in dead.error.message and "exit code 3" in dead.error.message
    assert "about to leave" in Path(dead.log_uri).read_text()
    assert after.outcome == Outcome.SUCCEEDED
    assert after.worker_id != dead.worker_id


def test_segfault_names_the_signal(process_executor: ProcessExecutor,
                                   make_request: MakeRequest, run_one: RunOne) -> None:
    result = run_one(process_executor, make_request("crash", x=0))

    assert result.outcome == Outcome.SYSTEM_ERROR
    assert result.error is not None and "SIGSEGV" in result.error.message


def test_crash_inside_a_batch_blames_only_the_crashing_attempt(
    process_executor: ProcessExecutor, make_request: MakeRequest, run_all: RunAll
) -> None:
    before = [make_request("add_one", x=i) for i in range(20)]
    crashing = make_request("exit_hard", code=9)
    behind = [make_request("add_one", x=i) for i in range(20)]

    results = run_all(process_executor, [*before, crashing, *behind])

    assert results[crashing.id].outcome == Outcome.SYSTEM_ERROR
    others = [results[r.id] for r in (*before, *behind)]
    assert all(r.outcome == Outcome.SUCCEEDED for r in others)


def test_timeout_kills_the_worker_and_reports_timed_out(
    process_executor: ProcessExecutor, make_request: MakeRequest, run_one: RunOne
) -> None:
    started = time.monotonic()
    result = run_one(process_executor, make_request("nap", seconds=30.0, timeout_s=1.0))
    elapsed = time.monotonic() - started
    after = run_one(process_executor, make_request("add_one", x=1))

    assert result.outcome == Outcome.TIMED_OUT
    assert result.error is not None and "timeout of 1s" in result.error.message
    assert elapsed < 5
    assert _wait_gone(int(result.worker_id[4:]), 5)
    assert after.outcome == Outcome.SUCCEEDED


def test_output_goes_to_the_attempts_log(process_executor: ProcessExecutor,
                                         make_request: MakeRequest, run_all: RunAll) -> None:
    talking = make_request("chatty", n=3, execution_id="exec-logs", node_id="n4", attempt=2)
    quiet = make_request("add_one", x=1)

    results = run_all(process_executor, [talking, quiet])

    log = results[talking.id].log_uri
    assert log == os.path.join(process_executor.log_dir, "exec-logs", "n4-2.log")
    text = Path(log).read_text()
    assert "line 0 on stdout" in text and "line 2 on stdout" in text
    assert "a warning on stderr" in text
    assert results[quiet.id].log_uri == ""


def test_environment_is_visible_to_the_task_and_restored(
    process_executor: ProcessExecutor, make_request: MakeRequest, run_one: RunOne
) -> None:
    name = "UPDRAFT_TEST_WORKER_ENV"
    with_env = run_one(process_executor,
                       make_request("read_env", name=name, environment={name: "yes"}))
    without = run_one(process_executor, make_request("read_env", name=name))

    assert with_env.outputs == {"o0": Scalar("yes")}
    assert without.outputs == {"o0": Scalar("<unset>")}
    assert with_env.worker_id == without.worker_id


def test_cancel_a_running_and_a_queued_attempt(process_executor: ProcessExecutor,
                                               make_request: MakeRequest,
                                               collect: RunAll) -> None:
    running = make_request("nap", seconds=30.0, timeout_s=60.0)
    process_executor.submit([running])
    deadline = time.monotonic() + 20
    while process_executor.worker_of(running.id) is None and time.monotonic() < deadline:
        process_executor.wait(0.05)
    worker = process_executor.worker_of(running.id)
    queued = [make_request("nap", seconds=30.0, timeout_s=60.0) for _ in range(3)]
    process_executor.submit(queued)

    started = time.monotonic()
    process_executor.cancel(running.id)
    for request in queued:
        process_executor.cancel(request.id)
    results = collect(process_executor, {running.id, *(r.id for r in queued)})

    assert worker is not None
    assert {r.outcome for r in results.values()} == {Outcome.CANCELLED}
    assert time.monotonic() - started < 5
    assert _wait_gone(worker.pid, 5)


def test_workers_are_keyed_by_code_version(process_executor: ProcessExecutor,
                                           make_request: MakeRequest, run_one: RunOne) -> None:
    one = run_one(process_executor, make_request("worker_pid", x=0, code_version="v1"))
    two = run_one(process_executor, make_request("worker_pid", x=0, code_version="v2"))
    one_again = run_one(process_executor, make_request("worker_pid", x=0, code_version="v1"))

    assert one.outputs != two.outputs
    assert one.outputs == one_again.outputs


def test_cpu_requests_decide_what_runs_at_once(blob_root: str, make_request: MakeRequest,
                                               run_all: RunAll) -> None:
    everything = ResourceSpec(cpu=float(len(os.sched_getaffinity(0))))
    requests = [make_request("nap", seconds=0.3, requests=everything) for _ in range(2)]
    with ProcessExecutor(blob_root, max_workers=2) as executor:
        results = run_all(executor, requests)

    first, second = sorted(results.values(), key=lambda r: r.started_at)
    assert second.started_at >= first.ended_at


def test_worker_imports_stay_light_and_packages_stay_whole(
    process_executor: ProcessExecutor, make_request: MakeRequest, run_all: RunAll
) -> None:
    heavy = Collection((Scalar("sqlalchemy"), Scalar("pandas"), Scalar("msgspec")))
    loaded = make_request("modules_loaded", names=heavy)
    store = make_request("store_is_complete", x=0)

    results = run_all(process_executor, [loaded, store])

    assert results[loaded.id].outputs == {"o0": Collection((Scalar("msgspec"),))}
    assert results[store.id].outputs == {"o0": Scalar(True)}


def test_capacity_counts_what_is_queued(blob_root: str, make_request: MakeRequest) -> None:
    with ProcessExecutor(blob_root, max_workers=1) as executor:
        empty = executor.capacity()
        executor.submit([make_request("nap", seconds=5.0) for _ in range(10)])
        busy = executor.capacity()
    assert empty > 0
    assert busy == empty - 10


def test_close_stops_workers_and_removes_their_groups(blob_root: str,
                                                      make_request: MakeRequest,
                                                      run_one: RunOne) -> None:
    executor = ProcessExecutor(blob_root, max_workers=1)
    run_one(executor, make_request("add_one", x=1))
    workers = executor.workers()
    roots = executor.cgroup_roots

    executor.close()

    assert workers and all(_wait_gone(w.pid, 5) for w in workers)
    assert not any(os.path.exists(path) for w in workers for path in w.cgroups)
    assert not any(os.path.exists(root) for root in roots)
    with pytest.raises(RuntimeError, match="closed"):
        executor.submit([make_request("add_one", x=1)])


def test_workers_die_with_their_parent(tmp_path: Path, resources: str) -> None:
    script = os.path.join(resources, "executor_parent.py")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (resources, os.environ.get("PYTHONPATH", "")) if p)}
    parent = subprocess.Popen([sys.executable, script, str(tmp_path / "blobs"), resources],
                              stdout=subprocess.PIPE, text=True, env=env)
    started: dict[str, object] = {}
    try:
        assert parent.stdout is not None
        started = json.loads(parent.stdout.readline())
        pid = int(started["pid"])  # type: ignore[call-overload]
        assert pid > 0 and not _gone(pid)

        parent.send_signal(signal.SIGKILL)
        parent.wait(10)

        assert _wait_gone(pid, 5)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        kill_cgroup_leftovers(started.get("roots", []))  # type: ignore[arg-type]


def test_workers_outlive_the_thread_that_started_them(blob_root: str,
                                                       make_request: MakeRequest,
                                                       run_one: RunOne) -> None:
    with ProcessExecutor(blob_root, max_workers=1) as executor:
        found: list[AttemptResult] = []
        thread = threading.Thread(
            target=lambda: found.append(run_one(executor, make_request("worker_pid", x=0))))
        thread.start()
        thread.join()
        later = run_one(executor, make_request("worker_pid", x=0))

    assert found[0].outputs == later.outputs


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_an_executor_dropped_without_close_releases_workers_and_pipes(
        blob_root: str, make_request: MakeRequest, run_one: RunOne) -> None:
    """A server that makes executors and forgets to close one must not run out of file
    descriptors or keep its workers."""
    import gc

    warm = ProcessExecutor(blob_root, max_workers=1)  # the first one imports what it needs
    run_one(warm, make_request("add_one", x=1))
    warm.close()
    before = _open_fds()
    executor = ProcessExecutor(blob_root, max_workers=2)
    run_one(executor, make_request("add_one", x=1))
    workers = executor.workers()
    files = executor._files
    del executor
    gc.collect()

    assert workers and all(_wait_gone(w.pid, 5) for w in workers)
    assert not os.path.exists(files)
    assert _open_fds() <= before


def test_a_long_attempt_does_not_hold_back_attempts_submitted_with_it(
    blob_root: str, make_request: MakeRequest, run_all: RunAll
) -> None:
    # Attempts of unknown length go to workers one at a time: had the short ones been
    # batched behind the long one, they would end after it although a worker was free.
    with ProcessExecutor(blob_root, max_workers=2) as executor:
        long = make_request("nap", seconds=3.0)
        short = [make_request("nap", seconds=0.2) for _ in range(3)]
        results = run_all(executor, [long, *short], 60)
    assert all(results[s.id].ended_at < results[long.id].ended_at for s in short)
    assert {results[s.id].worker_id for s in short} != {results[long.id].worker_id}
