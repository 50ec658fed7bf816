"""ProcessExecutor.prewarm: a worker that imports a code version's modules before its first
attempt arrives, so that attempt does not wait for the import.

The fixture module ``executor_slow_import`` sleeps 1 s when imported.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from updraft.engine.executors import InlineExecutor, ProcessExecutor, WorkerInfo
from updraft.model import AttemptRequest, AttemptResult, Outcome, Scalar
from updraft.store import BlobStore

MakeRequest = Callable[..., AttemptRequest]
RunOne = Callable[..., AttemptResult]
VERSION = "v-slow"


def _slow(make_request: MakeRequest, **options: object) -> AttemptRequest:
    return make_request("add_one", module="executor_slow_import", x=1, code_version=VERSION,
                        **options)


def _timed(executor: ProcessExecutor, request: AttemptRequest,
           timeout: float = 30.0) -> tuple[AttemptResult, float]:
    """Submit ``request`` and return its result and the seconds from submit to result."""
    start = time.monotonic()
    executor.submit([request])
    while time.monotonic() - start < timeout:
        for result in executor.results():
            if result.attempt_id == request.id:
                return result, time.monotonic() - start
        executor.wait(0.02)
    pytest.fail(f"no result for {request.id} after {timeout}s")


def _started(executor: ProcessExecutor, count: int, timeout: float = 10.0) -> list[WorkerInfo]:
    """The live workers once ``count`` of them have a pid."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = executor.workers()
        if len(workers) >= count:
            return workers
        assert executor.results() == []
        time.sleep(0.02)
    pytest.fail(f"{count} worker(s) not started after {timeout}s: {executor.workers()}")


def test_prewarmed_worker_answers_the_first_attempt_without_importing(
        process_executor: ProcessExecutor, make_request: MakeRequest, resources: str) -> None:
    start = time.monotonic()
    process_executor.prewarm(VERSION, [resources], ["executor_slow_import"])
    assert time.monotonic() - start < 0.3  # the import happens in the worker, not here
    time.sleep(1.5)

    result, took = _timed(process_executor, _slow(make_request))

    assert result.outcome == Outcome.SUCCEEDED, result.error
    assert result.outputs == {"o0": Scalar(2)}
    assert took < 0.5
    [worker] = process_executor.workers()
    assert result.worker_id == worker.worker_id


def test_without_prewarm_the_first_attempt_pays_for_the_import(
        process_executor: ProcessExecutor, make_request: MakeRequest) -> None:
    result, took = _timed(process_executor, _slow(make_request))

    assert result.outcome == Outcome.SUCCEEDED, result.error
    assert took > 1.0


def test_an_attempt_submitted_while_the_worker_imports_waits_for_it(
        process_executor: ProcessExecutor, make_request: MakeRequest, resources: str) -> None:
    process_executor.prewarm(VERSION, [resources], ["executor_slow_import"])
    [prewarmed] = _started(process_executor, 1)

    result, _ = _timed(process_executor, _slow(make_request))

    assert result.outcome == Outcome.SUCCEEDED, result.error
    assert result.worker_id == prewarmed.worker_id
    assert process_executor.workers() == [
        WorkerInfo(prewarmed.worker_id, prewarmed.pid, VERSION, prewarmed.cgroups, ())]


def test_a_module_that_fails_to_import_leaves_the_worker_serving(
        process_executor: ProcessExecutor, make_request: MakeRequest, resources: str) -> None:
    process_executor.prewarm(VERSION, [resources], ["no_such_module", "executor_tasks"])
    [prewarmed] = _started(process_executor, 1)

    fine, _ = _timed(process_executor, make_request("add_one", x=1, code_version=VERSION))
    missing, _ = _timed(process_executor, make_request(
        "add_one", module="no_such_module", x=1, code_version=VERSION))

    assert fine.outcome == Outcome.SUCCEEDED, fine.error
    assert fine.worker_id == prewarmed.worker_id
    assert missing.outcome == Outcome.USER_ERROR
    assert missing.error is not None
    assert "could not import module 'no_such_module'" in missing.error.message
    assert "No module named 'no_such_module'" in missing.error.message
    assert missing.worker_id == prewarmed.worker_id


def test_prewarm_twice_starts_one_worker(process_executor: ProcessExecutor,
                                         resources: str) -> None:
    process_executor.prewarm(VERSION, [resources], ["executor_tasks"])
    process_executor.prewarm(VERSION, [resources], ["executor_tasks"])
    _started(process_executor, 1)
    time.sleep(0.3)

    assert [w.code_version for w in process_executor.workers()] == [VERSION]


def test_prewarm_in_a_full_pool_replaces_an_idle_worker_of_another_version(
        blob_root: str, make_request: MakeRequest, run_one: RunOne, resources: str) -> None:
    with ProcessExecutor(blob_root, max_workers=1) as executor:
        assert run_one(executor, make_request("add_one", x=1, code_version="old")).outputs
        executor.prewarm(VERSION, [resources], ["executor_tasks"])

        deadline = time.monotonic() + 10
        while [w.code_version for w in executor.workers()] != [VERSION]:
            assert time.monotonic() < deadline, executor.workers()
            assert executor.results() == []
            time.sleep(0.02)


def test_inline_executor_accepts_prewarm(blob_store: BlobStore, make_request: MakeRequest,
                                         resources: str) -> None:
    executor = InlineExecutor(blob_store)
    executor.prewarm("v1", [resources], ["executor_tasks"])
    executor.submit([make_request("add_one", x=1)])

    assert [r.outputs for r in executor.results()] == [{"o0": Scalar(2)}]
