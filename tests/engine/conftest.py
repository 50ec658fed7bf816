"""Helpers for the executor tests: attempt requests for the fixture tasks and a way to wait
for their results."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from updraft.engine.executors import Executor, ProcessExecutor
from updraft.model import AttemptRequest, AttemptResult, Literal, Scalar
from updraft.store import BlobStore

RESOURCES = str(Path(__file__).parent.parent / "resources")
_ids = itertools.count(1)

@pytest.fixture
def blob_root(tmp_path: Path) -> str:
    return str(tmp_path / "blobs")


@pytest.fixture
def blob_store(blob_root: str) -> BlobStore:
    return BlobStore(blob_root)


@pytest.fixture
def make_request(blob_root: str) -> Callable[..., AttemptRequest]:
    """``make_request("add_one", x=1, timeout_s=1.0)``: an attempt of a function in
    tests/resources/executor_tasks.py; keyword arguments that are not AttemptRequest fields
    are the task's inputs (plain values become scalars)."""
    fields = set(AttemptRequest.__struct_fields__)

    def make(function: str, module: str = "executor_tasks", **kwargs: Any) -> AttemptRequest:
        n = next(_ids)
        options = {k: v for k, v in kwargs.items() if k in fields}
        inputs: dict[str, Literal] = {
            k: v if isinstance(v, Literal.__args__) else Scalar(v)  # type: ignore[attr-defined]
            for k, v in kwargs.items() if k not in fields
        }
        options.setdefault("code_paths", (RESOURCES,))
        return AttemptRequest(
            id=f"attempt-{n}",
            execution_id=options.pop("execution_id", "exec-1"),
            node_id=options.pop("node_id", f"n{n}"),
            attempt=options.pop("attempt", 1),
            task_name=f"{module}.{function}",
            entry_point=f"{module}:{function}",
            inputs=inputs,
            output_prefix=f"exec-1/n{n}/attempt-{n}",
            blob_root=blob_root,
            **options,
        )

    return make


def _run_all(executor: Executor, requests: Sequence[AttemptRequest],
             timeout: float = 30.0) -> dict[str, AttemptResult]:
    """Submit ``requests`` and collect every result, failing the test past ``timeout``."""
    executor.submit(requests)
    return _collect(executor, {r.id for r in requests}, timeout)


def _collect(executor: Executor, ids: set[str], timeout: float = 30.0) -> dict[str, AttemptResult]:
    found: dict[str, AttemptResult] = {}
    deadline = time.monotonic() + timeout
    while set(found) != ids:
        if time.monotonic() > deadline:
            pytest.fail(f"no result after {timeout}s for {sorted(ids - set(found))[:5]}")
        executor.wait(0.5)
        for result in executor.results():
            assert result.attempt_id not in found, f"{result.attempt_id} reported twice"
            found[result.attempt_id] = result
    return found


def _run_one(executor: Executor, request: AttemptRequest,
             timeout: float = 30.0) -> AttemptResult:
    return _run_all(executor, [request], timeout)[request.id]


@pytest.fixture
def run_all() -> Callable[..., dict[str, AttemptResult]]:
    """``run_all(executor, requests, timeout=30)``: submit and wait for every result."""
    return _run_all


@pytest.fixture
def run_one() -> Callable[..., AttemptResult]:
    """``run_one(executor, request, timeout=30)``: submit one attempt and wait for it."""
    return _run_one


@pytest.fixture
def collect() -> Callable[..., dict[str, AttemptResult]]:
    """``collect(executor, ids, timeout=30)``: wait for the results of already submitted
    attempts."""
    return _collect


@pytest.fixture
def resources() -> str:
    """The folder of the fixture task modules, passed to workers as a code path."""
    return RESOURCES


@pytest.fixture
def process_executor(blob_root: str, tmp_path: Path) -> Iterator[ProcessExecutor]:
    executor = ProcessExecutor(blob_root, max_workers=2, log_dir=str(tmp_path / "logs"))
    yield executor
    executor.close()
