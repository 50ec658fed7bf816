"""InlineExecutor: attempts run in the calling process when results are asked for."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from updraft.engine.executors import InlineExecutor
from updraft.model import AttemptRequest, AttemptResult, Collection, Outcome, ResourceSpec, Scalar
from updraft.store import BlobStore

MakeRequest = Callable[..., AttemptRequest]
RunAll = Callable[..., dict[str, AttemptResult]]


def test_values_round_trip(make_request: MakeRequest, blob_store: BlobStore,
                           run_all: RunAll) -> None:
    executor = InlineExecutor(blob_store)
    values = Collection((Scalar(1), Scalar(5)))
    requests = [make_request("add_one", x=1), make_request("shout", text="a"),
                make_request("doubled", values=values)]

    results = run_all(executor, requests)

    assert [results[r.id].outputs for r in requests] == [
        {"o0": Scalar(2)}, {"o0": Scalar("A!")}, {"o0": Collection((Scalar(2), Scalar(10)))}]
    assert all(r.worker_id == "inline" for r in results.values())
    assert executor.capacity() is None


def test_runs_in_this_process(make_request: MakeRequest, blob_store: BlobStore,
                              run_all: RunAll) -> None:
    request = make_request("worker_pid", x=0)

    result = run_all(InlineExecutor(blob_store), [request])[request.id]

    assert result.outputs == {"o0": Scalar(os.getpid())}


def test_a_failure_stops_the_slice_so_siblings_can_be_cancelled(
    make_request: MakeRequest, blob_store: BlobStore
) -> None:
    executor = InlineExecutor(blob_store)
    failing = make_request("check_positive", x=0)
    sibling = make_request("add_one", x=1)
    executor.submit([failing, sibling])

    first = executor.results()
    executor.cancel(sibling.id)
    second = executor.results()

    assert [(r.attempt_id, r.outcome) for r in first] == [(failing.id, Outcome.USER_ERROR)]
    assert [(r.attempt_id, r.outcome) for r in second] == [(sibling.id, Outcome.CANCELLED)]
    assert executor.results() == []


def test_timeouts_and_limits_are_ignored_with_one_warning(
    make_request: MakeRequest, blob_store: BlobStore, collect: RunAll
) -> None:
    executor = InlineExecutor(blob_store)
    slow = make_request("nap", seconds=0.05, timeout_s=0.001)
    limited = make_request("add_one", x=1, limits=ResourceSpec(mem=2**20))
    with pytest.warns(RuntimeWarning, match="cannot enforce timeouts") as caught:
        executor.submit([slow, limited])
    results = collect(executor, {slow.id, limited.id})

    assert len(caught) == 1
    assert {r.outcome for r in results.values()} == {Outcome.SUCCEEDED}
