"""Memory and CPU limits of the process executor, with each backend this host offers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from updraft.engine.executors import (
    LimitsUnavailableError,
    ProcessExecutor,
    format_bytes,
    format_resources,
)
from updraft.model import AttemptRequest, AttemptResult, Outcome, ResourceSpec, Scalar

MakeRequest = Callable[..., AttemptRequest]
RunOne = Callable[..., AttemptResult]

MI = 2**20


def _backend_or_skip(name: str, blob_root: str, logs: str) -> ProcessExecutor:
    try:
        return ProcessExecutor(blob_root, max_workers=1, memory_limit_backend=name,
                               log_dir=logs)
    except LimitsUnavailableError as exc:
        pytest.skip(f"the {name} limit backend does not work here: {exc}")


@pytest.fixture(params=["v2", "v1", "watchdog"])
def limited_executor(request: pytest.FixtureRequest, blob_root: str,
                     tmp_path: Path) -> Iterator[ProcessExecutor]:
    executor = _backend_or_skip(request.param, blob_root, str(tmp_path / "logs"))
    yield executor
    executor.close()


@pytest.mark.parametrize(("size", "text"), [
    (209715200, "200Mi"), (2**30, "1Gi"), (3 * 10**9, "3G"), (1536 * MI, "1536Mi"),
    (1000, "1k"), (1234567, "1.18Mi"), (512, "512"),
])
def test_byte_counts_read_the_way_they_were_written(size: int, text: str) -> None:
    assert format_bytes(size) == text


def test_resources_read_like_the_users_code() -> None:
    assert format_resources(ResourceSpec(mem=200 * MI)) == 'Resources(mem="200Mi")'
    assert format_resources(ResourceSpec(cpu=2.0, mem=2**30)) == 'Resources(cpu=2, mem="1Gi")'


def test_unknown_backend_is_refused(blob_root: str) -> None:
    with pytest.raises(ValueError, match="'v3' is not a limit backend"):
        ProcessExecutor(blob_root, memory_limit_backend="v3")


def test_task_over_its_memory_limit_is_oom(limited_executor: ProcessExecutor,
                                           make_request: MakeRequest, run_one: RunOne) -> None:
    request = make_request("hold_memory", mb=500, limits=ResourceSpec(mem=200 * MI))

    result = run_one(limited_executor, request, 60)
    after = run_one(limited_executor, make_request("add_one", x=1))

    assert result.outcome == Outcome.OOM, result.error
    assert result.error is not None
    message = result.error.message
    assert "task 'executor_tasks.hold_memory' ran out of its 200Mi memory limit" in message
    assert 'limits=Resources(mem="200Mi")' in message
    assert after.outcome == Outcome.SUCCEEDED


def test_task_under_its_memory_limit_succeeds(limited_executor: ProcessExecutor,
                                              make_request: MakeRequest,
                                              run_one: RunOne) -> None:
    request = make_request("hold_memory", mb=50, seconds=0.1, limits=ResourceSpec(mem=300 * MI))

    result = run_one(limited_executor, request, 60)

    assert result.outcome == Outcome.SUCCEEDED, result.error
    assert result.outputs == {"o0": Scalar(50 * MI)}


def test_worker_holding_more_than_the_next_limit_is_recycled(
    limited_executor: ProcessExecutor, make_request: MakeRequest, run_one: RunOne
) -> None:
    leaky = run_one(limited_executor, make_request("keep_memory", mb=300))
    limited = run_one(limited_executor,
                      make_request("keep_memory", mb=10, limits=ResourceSpec(mem=150 * MI)))

    assert leaky.outcome == limited.outcome == Outcome.SUCCEEDED, limited.error
    assert leaky.outputs != limited.outputs


def test_cpu_limit_throttles_the_task(blob_root: str, tmp_path: Path,
                                      make_request: MakeRequest, run_one: RunOne) -> None:
    with ProcessExecutor(blob_root, max_workers=1, log_dir=str(tmp_path / "logs")) as executor:
        if executor.limit_backend == "watchdog":
            pytest.skip("the watchdog backend does not enforce CPU limits")
        result = run_one(executor, make_request("burn", seconds=1.0,
                                                limits=ResourceSpec(cpu=0.25)))

    assert result.outcome == Outcome.SUCCEEDED
    assert result.outputs is not None
    cpu_seconds = result.outputs["o0"].value  # type: ignore[union-attr]
    assert isinstance(cpu_seconds, float) and cpu_seconds < 0.45

