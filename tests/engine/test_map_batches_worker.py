"""Map batches and dynamic expansion in the worker: `run_attempt` given ``elements`` runs the
task once per element, given ``expander`` returns the sub-workflow its expander builds; both
travel through the process executor's pipes unchanged.

The functions below are tasks and a stand-in expander that the tests reach by entry point
(``test_map_batches_worker:...``), the way the engine reaches user code.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from updraft._runtime import current_task_context
from updraft.engine.executors import ProcessExecutor, run_attempt
from updraft.model import (
    AttemptRequest,
    AttemptResult,
    BlobIO,
    Interface,
    Literal,
    NodeSpec,
    Outcome,
    Scalar,
    TaskSpec,
    WorkflowSpec,
)
from updraft.store import BlobStore
from updraft.types import File

MakeRequest = Callable[..., AttemptRequest]
HERE = str(Path(__file__).parent)
MODULE = Path(__file__).stem


# -- tasks and a stand-in expander, imported by entry point ------------------------------


def write_note(text: str) -> File:
    """Writes a file into the scratch folder and returns it (a blob output)."""
    context = current_task_context()
    assert context is not None
    path = os.path.join(context.working_directory, "note.txt")
    with open(path, "w") as f:
        f.write(text)
    return File(path)


def fan_out(count: int) -> int:
    """The body of a dynamic node: how many children to build, from a real input value."""
    if count < 0:
        raise ValueError(f"count must not be negative, got {count}")
    return count


def fake_expand(function: Callable[..., Any], kwargs: dict[str, object],
                request: AttemptRequest, blob_io: BlobIO) -> WorkflowSpec:
    """Stands in for the runner's expander: runs the body and builds one node per unit."""
    context = current_task_context()
    assert context is not None
    count = function(**kwargs)
    task = TaskSpec(name="pkg.child", entry_point="pkg:child", interface=Interface())
    nodes = tuple(
        NodeSpec(id=f"{context.node_id}-{i}", task="pkg.child", name=f"child-{i}")
        for i in range(count)
    )
    return WorkflowSpec(name=f"{request.task_name}-dynamic", interface=Interface(),
                        nodes=nodes, outputs={}, tasks={"pkg.child": task})


def not_a_spec(function: Callable[..., Any], kwargs: dict[str, object],
               request: AttemptRequest, blob_io: BlobIO) -> int:
    return 3


# -- helpers -------------------------------------------------------------------------------


def _elements(name: str, values: list[object]) -> tuple[dict[str, Literal], ...]:
    return tuple({name: Scalar(v)} for v in values)  # type: ignore[arg-type]


def _values(result: AttemptResult) -> list[object]:
    assert result.elements is not None
    return [None if e.outputs is None else e.outputs["o0"].value  # type: ignore[union-attr]
            for e in result.elements]


def _own(make_request: MakeRequest, function: str, **kwargs: Any) -> AttemptRequest:
    return make_request(function, module=MODULE, code_paths=(HERE,), **kwargs)


# -- map batches ---------------------------------------------------------------------------


def test_each_element_runs_over_the_shared_inputs_in_order(
    make_request: MakeRequest, blob_store: BlobStore
) -> None:
    request = make_request("divide", b=4, elements=_elements("a", [8, 2, 1, 0]))

    result = run_attempt(request, blob_store)

    assert result.outcome == Outcome.SUCCEEDED
    assert result.outputs is None and result.error is None
    assert _values(result) == [2.0, 0.5, 0.25, 0.0]
    assert {e.outcome for e in result.elements or []} == {Outcome.SUCCEEDED}
    assert result.queued_at <= result.started_at <= result.ended_at


def test_an_element_input_overrides_a_shared_one(
    make_request: MakeRequest, blob_store: BlobStore
) -> None:
    elements = ({"a": Scalar(9)}, {"a": Scalar(9), "b": Scalar(3)})

    result = run_attempt(make_request("divide", b=2, elements=elements), blob_store)

    assert _values(result) == [4.5, 3.0]


def test_failed_elements_are_reported_and_the_others_still_run(
    make_request: MakeRequest, blob_store: BlobStore
) -> None:
    request = make_request("check_positive", elements=_elements("x", [1, -2, 3, -4]))

    result = run_attempt(request, blob_store)

    assert result.outcome == Outcome.SUCCEEDED
    assert result.elements is not None
    assert [e.outcome for e in result.elements] == [
        Outcome.SUCCEEDED, Outcome.USER_ERROR, Outcome.SUCCEEDED, Outcome.USER_ERROR]
    assert _values(result) == [1, None, 3, None]
    failed = result.elements[1].error
    assert failed is not None and failed.kind == "USER_ERROR"
    assert failed.message == "ValueError: x must be positive, got -2"
    assert "executor_tasks.py" in failed.traceback and "raise ValueError" in failed.traceback
    assert f"updraft{os.sep}engine" not in failed.traceback
    assert result.elements[3].error is not None
    assert "got -4" in result.elements[3].error.message


def test_memory_error_bad_output_and_missing_input_fail_only_their_element(
    make_request: MakeRequest, blob_store: BlobStore
) -> None:
    oom = run_attempt(make_request("ask_too_much", elements=_elements("x", [1, 2])),
                      blob_store)
    wrong = run_attempt(make_request("wrong_output", elements=_elements("x", [1])), blob_store)
    missing = run_attempt(
        make_request("divide", elements=({"a": Scalar(1)}, {"b": Scalar(1)})), blob_store)

    assert oom.outcome == Outcome.SUCCEEDED and oom.elements is not None
    assert [e.outcome for e in oom.elements] == [Outcome.OOM, Outcome.OOM]
    assert oom.elements[0].error is not None
    assert "could not allocate 1 TiB" in oom.elements[0].error.message
    assert wrong.elements is not None and wrong.elements[0].outcome == Outcome.USER_ERROR
    assert wrong.elements[0].error is not None and "'o0'" in wrong.elements[0].error.message
    assert missing.elements is not None
    assert [e.outcome for e in missing.elements] == [Outcome.SUCCEEDED, Outcome.USER_ERROR]
    error = missing.elements[1].error
    assert error is not None and "'a'" in error.message and "no default" in error.message


def test_blob_outputs_go_under_the_prefix_of_their_element(
    make_request: MakeRequest, blob_store: BlobStore
) -> None:
    request = _own(make_request, "write_note", elements=_elements("text", ["one", "two"]))

    result = run_attempt(request, blob_store)

    assert result.elements is not None
    blobs = [e.outputs["o0"] for e in result.elements if e.outputs is not None]
    assert len(blobs) == 2
    for position, (blob, text) in enumerate(zip(blobs, ["one", "two"], strict=True)):
        assert f"{request.output_prefix}/{position}/" in blob.uri  # type: ignore[union-attr]
        assert blob_store.get_bytes(blob.uri) == text.encode()  # type: ignore[union-attr]


def test_each_element_sees_its_own_node_in_the_context(
    make_request: MakeRequest, blob_store: BlobStore
) -> None:
    request = make_request("where_am_i", node_id="n4", attempt=2,
                           elements=_elements("tag", ["a", "b", "c"]))

    result = run_attempt(request, blob_store)

    seen = [str(v).split(":", 2) for v in _values(result)]
    assert [(node, attempt) for node, attempt, _ in seen] == [
        ("n4-0", "2"), ("n4-1", "2"), ("n4-2", "2")]
    folders = {folder for _, _, folder in seen}
    assert len(folders) == 1  # one scratch folder for the batch
    assert not os.path.exists(folders.pop())  # removed after the batch, as it was written to


def test_environment_is_set_for_every_element_and_restored(
    make_request: MakeRequest, blob_store: BlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UPDRAFT_TEST_MAP", raising=False)
    request = make_request("read_env", environment={"UPDRAFT_TEST_MAP": "set"},
                           elements=_elements("name", ["UPDRAFT_TEST_MAP"] * 3))

    result = run_attempt(request, blob_store)

    assert _values(result) == ["set", "set", "set"]
    assert "UPDRAFT_TEST_MAP" not in os.environ


def test_a_task_that_cannot_be_loaded_fails_the_whole_batch(
    make_request: MakeRequest, blob_store: BlobStore
) -> None:
    unimportable = run_attempt(
        make_request("f", module="no_such_module", elements=_elements("x", [1, 2])),
        blob_store)
    bad_shared = run_attempt(
        make_request("divide", c=1, elements=_elements("a", [1, 2])), blob_store)

    assert unimportable.outcome == Outcome.USER_ERROR and unimportable.elements is None
    assert unimportable.error is not None and "'no_such_module:f'" in unimportable.error.message
    assert bad_shared.outcome == Outcome.USER_ERROR and bad_shared.elements is None
    assert bad_shared.error is not None and "no input 'c'" in bad_shared.error.message


def test_a_batch_travels_through_the_process_executor(
    process_executor: ProcessExecutor, make_request: MakeRequest,
    run_one: Callable[..., AttemptResult],
) -> None:
    request = make_request("check_positive", elements=_elements("x", [5, 0, 7]))

    result = run_one(process_executor, request)

    assert result.outcome == Outcome.SUCCEEDED
    assert result.worker_id.startswith("pid:")
    assert result.elements is not None
    assert [e.outcome for e in result.elements] == [
        Outcome.SUCCEEDED, Outcome.USER_ERROR, Outcome.SUCCEEDED]
    assert _values(result) == [5, None, 7]
    assert result.elements[1].error is not None
    assert "got 0" in result.elements[1].error.message


# -- dynamic expansion ---------------------------------------------------------------------


def _dynamic(make_request: MakeRequest, count: int, expander: str = "fake_expand",
             **kwargs: Any) -> AttemptRequest:
    return _own(make_request, "fan_out", count=count, expander=f"{MODULE}:{expander}",
                **kwargs)


def test_expander_builds_the_workflow_from_real_inputs_in_the_tasks_context(
    make_request: MakeRequest, blob_store: BlobStore
) -> None:
    result = run_attempt(_dynamic(make_request, 3, node_id="n2"), blob_store)

    assert result.outcome == Outcome.SUCCEEDED, result.error
    assert result.outputs is None and result.elements is None
    assert result.workflow is not None
    assert [n.id for n in result.workflow.nodes] == ["n2-0", "n2-1", "n2-2"]
    assert result.workflow.name == f"{MODULE}.fan_out-dynamic"


def test_an_exception_in_the_dynamic_body_is_a_user_error_with_its_traceback(
    make_request: MakeRequest, blob_store: BlobStore
) -> None:
    result = run_attempt(_dynamic(make_request, -1), blob_store)

    assert result.outcome == Outcome.USER_ERROR
    assert result.workflow is None
    assert result.error is not None
    assert result.error.message == "ValueError: count must not be negative, got -1"
    assert "raise ValueError" in result.error.traceback
    assert f"updraft{os.sep}engine" not in result.error.traceback


def test_an_expander_that_is_missing_or_returns_no_workflow_is_a_system_error(
    make_request: MakeRequest, blob_store: BlobStore
) -> None:
    missing = run_attempt(_dynamic(make_request, 1, expander="no_such_expander"), blob_store)
    wrong = run_attempt(_dynamic(make_request, 1, expander="not_a_spec"), blob_store)

    assert missing.outcome == Outcome.SYSTEM_ERROR
    assert missing.error is not None
    assert f"'{MODULE}:no_such_expander'" in missing.error.message
    assert wrong.outcome == Outcome.SYSTEM_ERROR
    assert wrong.error is not None and "returned int, not a WorkflowSpec" in wrong.error.message


def test_a_dynamic_workflow_travels_through_the_process_executor(
    process_executor: ProcessExecutor, make_request: MakeRequest,
    run_one: Callable[..., AttemptResult],
) -> None:
    result = run_one(process_executor, _dynamic(make_request, 2, node_id="n9"))

    assert result.outcome == Outcome.SUCCEEDED, result.error
    assert result.workflow is not None
    assert [n.id for n in result.workflow.nodes] == ["n9-0", "n9-1"]
    assert result.workflow.tasks["pkg.child"].entry_point == "pkg:child"
