"""run_attempt: one attempt of a Python task in this process, as every executor runs it."""

from __future__ import annotations

import os
from collections.abc import Callable

import cloudpickle
import pytest

from updraft.engine.executors import run_attempt
from updraft.model import AttemptRequest, Collection, Outcome, Scalar
from updraft.store import BlobStore

MakeRequest = Callable[..., AttemptRequest]


def test_values_round_trip(make_request: MakeRequest, blob_store: BlobStore) -> None:
    numbers = run_attempt(make_request("add_one", x=41), blob_store)
    text = run_attempt(make_request("shout", text="hey"), blob_store)
    values = Collection((Scalar(1), Scalar(2), Scalar(3)))
    listed = run_attempt(make_request("doubled", values=values), blob_store)

    assert numbers.outcome == Outcome.SUCCEEDED
    assert numbers.outputs == {"o0": Scalar(42)}
    assert text.outputs == {"o0": Scalar("HEY!")}
    assert listed.outputs == {"o0": Collection((Scalar(2), Scalar(4), Scalar(6)))}
    assert numbers.queued_at <= numbers.started_at <= numbers.ended_at


def test_default_inputs_apply_and_missing_ones_are_named(
    make_request: MakeRequest, blob_store: BlobStore
) -> None:
    defaulted = run_attempt(make_request("divide", a=5), blob_store)
    missing = run_attempt(make_request("divide", b=5), blob_store)

    assert defaulted.outputs == {"o0": Scalar(2.5)}
    assert missing.outcome == Outcome.USER_ERROR
    assert missing.error is not None
    assert "'a'" in missing.error.message and "no default" in missing.error.message


def test_user_exception_keeps_the_users_traceback(
    make_request: MakeRequest, blob_store: BlobStore
) -> None:
    result = run_attempt(make_request("check_positive", x=-3), blob_store)

    assert result.outcome == Outcome.USER_ERROR
    assert result.error is not None
    assert result.error.kind == "USER_ERROR"
    assert result.error.message == "ValueError: x must be positive, got -3"
    tb = result.error.traceback
    assert "executor_tasks.py" in tb and "raise ValueError" in tb
    assert f"updraft{os.sep}engine" not in tb


def test_memory_error_is_reported_as_oom(make_request: MakeRequest,
                                         blob_store: BlobStore) -> None:
    result = run_attempt(make_request("ask_too_much", x=1), blob_store)

    assert result.outcome == Outcome.OOM
    assert result.error is not None and "could not allocate 1 TiB" in result.error.message


def test_unimportable_entry_point_names_it_and_the_code_paths(
    make_request: MakeRequest, blob_store: BlobStore, resources: str
) -> None:
    result = run_attempt(make_request("f", module="no_such_module", x=1), blob_store)
    renamed = run_attempt(make_request("no_such_function", x=1), blob_store)

    assert result.outcome == Outcome.USER_ERROR
    assert result.error is not None
    assert "'no_such_module:f'" in result.error.message
    assert resources in result.error.message
    assert "No module named 'no_such_module'" in result.error.message
    assert renamed.error is not None and "no attribute 'no_such_function'" in renamed.error.message


def test_output_that_does_not_convert_is_a_user_error(
    make_request: MakeRequest, blob_store: BlobStore
) -> None:
    result = run_attempt(make_request("wrong_output", x=1), blob_store)

    assert result.outcome == Outcome.USER_ERROR
    assert result.error is not None and "'o0'" in result.error.message


def test_task_wrapper_is_unwrapped(make_request: MakeRequest, blob_store: BlobStore) -> None:
    result = run_attempt(make_request("wrapped_add_one", x=1), blob_store)

    assert result.outputs == {"o0": Scalar(2)}


def test_environment_is_visible_and_restored(
    make_request: MakeRequest, blob_store: BlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPDRAFT_TEST_KEPT", "before")
    monkeypatch.delenv("UPDRAFT_TEST_NEW", raising=False)
    new = run_attempt(make_request("read_env", name="UPDRAFT_TEST_NEW",
                                   environment={"UPDRAFT_TEST_NEW": "set"}), blob_store)
    kept = run_attempt(make_request("read_env", name="UPDRAFT_TEST_KEPT",
                                    environment={"UPDRAFT_TEST_KEPT": "during"}), blob_store)

    assert new.outputs == {"o0": Scalar("set")}
    assert kept.outputs == {"o0": Scalar("during")}
    assert "UPDRAFT_TEST_NEW" not in os.environ
    assert os.environ["UPDRAFT_TEST_KEPT"] == "before"


def test_each_attempt_gets_an_empty_scratch_folder_removed_after(
    make_request: MakeRequest, blob_store: BlobStore
) -> None:
    first = run_attempt(make_request("where_am_i", tag="one", node_id="n7", attempt=2),
                        blob_store)
    second = run_attempt(make_request("where_am_i", tag="two"), blob_store)

    assert first.outputs is not None and second.outputs is not None
    node, attempt, folder = str(first.outputs["o0"].value).split(":", 2)  # type: ignore[union-attr]
    assert (node, attempt) == ("n7", "2")
    assert not os.path.exists(folder)
    other = str(second.outputs["o0"].value).split(":", 2)[2]  # type: ignore[union-attr]
    assert not os.path.exists(other)


def test_function_shipped_by_value(make_request: MakeRequest, blob_store: BlobStore) -> None:
    def triple(x: int) -> int:
        return 3 * x

    uri = blob_store.put_bytes("code", "triple.pkl", cloudpickle.dumps(triple))
    result = run_attempt(make_request("triple", module="__main__", x=5, by_value=uri,
                                      code_version="v-by-value"), blob_store)

    assert result.outputs == {"o0": Scalar(15)}
