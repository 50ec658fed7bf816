"""Maps, dynamic tasks, conditionals, subworkflows, launch plans, ordering, overrides and
failure policies, run end to end on this machine the way `updraft run` runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
import wf_composed

from tests._support import count_marks
from updraft.model import ExecutionPhase, NodeExecution, NodePhase
from updraft.runner import local_store, resume, run_entity

EXECUTORS = ["inline", "process"]


def _by_id(nodes: list[NodeExecution]) -> dict[str, NodeExecution]:
    return {n.node_id: n for n in nodes}


# -- maps ----------------------------------------------------------------------------------


@pytest.mark.parametrize("executor", EXECUTORS)
def test_a_map_runs_its_task_per_element_in_order(executor: str) -> None:
    result = run_entity(wf_composed.squares, {"xs": list(range(50))}, executor=executor)
    assert result.python_outputs == sum(x * x for x in range(50))
    nodes = _by_id(result.document.nodes)
    assert nodes["n0"].kind == "map"
    assert nodes["n0"].elements is not None
    assert (nodes["n0"].elements.total, nodes["n0"].elements.succeeded) == (50, 50)


def test_a_partial_binds_the_inputs_that_are_not_mapped() -> None:
    result = run_entity(wf_composed.scaled, {"xs": [1, 2, 3, 4, 5], "factor": 4},
                        executor="process")
    assert result.python_outputs == [4, 8, 12, 16, 20]


def test_several_lists_are_zipped() -> None:
    result = run_entity(wf_composed.zipped, {"xs": [1, 2, 3], "factors": [10, 20, 30]},
                        executor="inline")
    assert result.python_outputs == [10, 40, 90]


def test_lists_of_different_lengths_fail_the_node_naming_the_lengths() -> None:
    result = run_entity(wf_composed.zipped, {"xs": [1, 2, 3], "factors": [1, 2]},
                        executor="inline")
    assert result.execution.phase == ExecutionPhase.FAILED
    error = result.document.nodes[0].error
    assert error is not None
    assert "x has 3, factor has 2" in error.message


def test_an_empty_map_gives_empty_lists() -> None:
    result = run_entity(wf_composed.squares, {"xs": []}, executor="inline")
    assert result.python_outputs == 0


def test_elements_are_stored_packed_in_batches() -> None:
    result = run_entity(wf_composed.squares, {"xs": list(range(3000))}, executor="process")
    assert result.succeeded
    store, _ = local_store()
    batches = store.get_map_batches(result.execution.id, "n0")
    assert 1 < len(batches) < 3000
    indices = sorted(i for b in batches for i in b.indices)
    assert indices == list(range(3000))


def test_a_rerun_after_one_element_failed_runs_only_that_element(marks: Path) -> None:
    xs = [1, 2, -3, 4]
    first = run_entity(wf_composed.checked_all, {"xs": xs}, executor="process")
    assert first.execution.phase == ExecutionPhase.FAILED
    error = first.document.nodes[0].error
    assert error is not None and "1 of 4 elements failed" in error.message
    assert "negative input -3" in error.message
    (marks / "fixed").write_text("")
    second = run_entity(wf_composed.checked_all, {"xs": xs}, executor="process")
    assert second.python_outputs == [2, 3, -2, 5]
    assert {x: count_marks(marks, f"checked-{x}") for x in xs} == {1: 1, 2: 1, -3: 2, 4: 1}


def test_resuming_a_failed_map_runs_only_the_missing_elements(marks: Path) -> None:
    first = run_entity(wf_composed.checked_all, {"xs": [5, -1, 6]}, executor="inline")
    assert first.execution.phase == ExecutionPhase.FAILED
    (marks / "fixed").write_text("")
    again = resume(first.execution.id, wf_composed.checked_all, executor="inline")
    assert again.python_outputs == [6, 0, 7]
    assert count_marks(marks, "checked-5") == 1 and count_marks(marks, "checked--1") == 2


def test_min_success_ratio_turns_failed_elements_into_none() -> None:
    result = run_entity(wf_composed.tolerant, {"xs": [1, 2, 3, 4]}, executor="inline")
    assert result.python_outputs == [1, 2, None, 4]


def test_below_min_success_ratio_the_map_fails() -> None:
    result = run_entity(wf_composed.tolerant, {"xs": [3, 6, 9, 1]}, executor="inline")
    assert result.execution.phase == ExecutionPhase.FAILED
    error = result.document.nodes[0].error
    assert error is not None and "3 of 4 elements failed" in error.message


# -- dynamic -------------------------------------------------------------------------------


@pytest.mark.parametrize("executor", EXECUTORS)
def test_a_dynamic_task_builds_its_nodes_from_actual_values(executor: str) -> None:
    result = run_entity(wf_composed.dynamic_sum, {"n": 5}, executor=executor)
    assert result.python_outputs == 0 + 10 + 4 + 30 + 16
    nodes = _by_id(result.document.nodes)
    assert nodes["n0"].kind == "dynamic"
    children = [n for n in result.document.nodes if n.parent == "n0"]
    assert [c.node_id for c in children] == ["n0-0", "n0-1", "n0-2", "n0-3", "n0-4"]
    assert [c.name for c in children] == ["square", "scale", "square", "scale", "square"]
    assert all(c.phase == NodePhase.SUCCEEDED for c in children)
    assert nodes["n0"].subworkflow_hash


def test_a_dynamic_chain_runs_in_order() -> None:
    result = run_entity(wf_composed.dynamic_chain, {"n": 30}, executor="inline")
    assert result.python_outputs == 1
    assert len([n for n in result.document.nodes if n.parent == "n0"]) == 30


# -- conditionals ----------------------------------------------------------------------------


@pytest.mark.parametrize(("x", "expected", "taken"), [
    (0.9, 2, "n1-0"), (0.3, -1, "n1-1"), (-1.0, 49, "n1-2"),
])
def test_a_conditional_runs_the_first_arm_that_holds(x: float, expected: int,
                                                      taken: str) -> None:
    result = run_entity(wf_composed.pick, {"x": x}, executor="inline")
    assert result.python_outputs == expected
    nodes = _by_id(result.document.nodes)
    assert nodes["n1"].kind == "branch"
    arms = {i: nodes[i].phase for i in ("n1-0", "n1-1", "n1-2")}
    assert arms.pop(taken) == NodePhase.SUCCEEDED
    assert set(arms.values()) == {NodePhase.SKIPPED}


def test_a_failing_arm_fails_the_execution_with_its_message() -> None:
    result = run_entity(wf_composed.strict_pick, {"x": -2.0}, executor="inline")
    assert result.execution.phase == ExecutionPhase.FAILED
    assert result.execution.error is not None
    assert "x must be positive" in result.execution.error.message
    assert run_entity(wf_composed.strict_pick, {"x": 2.0}, executor="inline").python_outputs == 6


# -- subworkflows and launch plans ---------------------------------------------------------


@pytest.mark.parametrize("executor", EXECUTORS)
def test_subworkflows_run_as_children_of_their_node(executor: str) -> None:
    result = run_entity(wf_composed.outer, {"a": 3}, executor=executor)
    assert result.python_outputs == (3 * 3 * 2) ** 2
    nodes = _by_id(result.document.nodes)
    assert nodes["n0"].kind == nodes["n1"].kind == "subworkflow"
    assert [n.node_id for n in result.document.nodes if n.parent == "n1"] == ["n1-0", "n1-1"]


def test_a_launch_plan_node_starts_a_linked_child_execution() -> None:
    result = run_entity(wf_composed.with_plan, {"a": 2}, executor="inline")
    assert result.python_outputs == 2 * (4 * 3)
    node = _by_id(result.document.nodes)["n0"]
    assert node.kind == "launchplan" and node.child_execution
    store, _ = local_store()
    child = store.get_execution(node.child_execution)
    assert child.parent == result.execution.id and child.parent_node == "n0"
    assert child.launched_by == "parent"
    assert child.phase == ExecutionPhase.SUCCEEDED
    assert {k: v.value for k, v in child.inputs.items()} == {"a": 2, "b": 3}  # type: ignore[union-attr]


# -- ordering, overrides and failure policies ----------------------------------------------


def test_explicit_ordering_is_honoured(marks: Path) -> None:
    result = run_entity(wf_composed.ordered, {}, executor="process")
    assert result.python_outputs == 2


def test_overrides_change_the_node_and_its_task() -> None:
    result = run_entity(wf_composed.overridden, {"x": 5}, executor="inline")
    assert result.python_outputs == 25
    node = result.document.nodes[0]
    assert node.name == "squared" and node.cache.value in ("put", "hit")


def test_fail_after_executable_nodes_complete_lets_independent_nodes_finish(
    marks: Path,
) -> None:
    result = run_entity(wf_composed.keeps_going, {"x": 1}, executor="process")
    assert result.execution.phase == ExecutionPhase.FAILED
    phases = {n.name: n.phase for n in result.document.nodes}
    assert phases["broken"] == NodePhase.FAILED
    assert phases["slow_ok"] == NodePhase.SUCCEEDED
    assert phases["total"] == NodePhase.SKIPPED
    assert count_marks(marks, "slow_ok-1") == 1
    assert "broken on 1" in (marks / "report").read_text()


def test_on_failure_runs_with_the_error_when_failing_immediately(marks: Path) -> None:
    result = run_entity(wf_composed.stops_at_once, {"x": 7}, executor="inline")
    assert result.execution.phase == ExecutionPhase.FAILED
    assert result.execution.error is not None and "broken on 7" in result.execution.error.message
    assert "broken on 7" in (marks / "report").read_text()
    handler = _by_id(result.document.nodes)["on_failure"]
    assert handler.phase == NodePhase.SUCCEEDED


def test_a_cached_dynamic_task_is_served_whole_from_the_cache(marks: Path) -> None:
    first = run_entity(wf_composed.cached_dynamic, {"n": 3}, executor="inline")
    assert first.python_outputs == [0, 1, 4]
    assert _by_id(first.document.nodes)["n0"].cache.value == "put"
    second = run_entity(wf_composed.cached_dynamic, {"n": 3}, executor="inline")
    assert second.python_outputs == [0, 1, 4]
    assert _by_id(second.document.nodes)["n0"].cache.value == "hit"
    assert [n for n in second.document.nodes if n.parent == "n0"] == []
    assert count_marks(marks, "cached_fan_out-3") == 1


def test_resuming_reruns_only_the_children_that_failed(marks: Path) -> None:
    first = run_entity(wf_composed.nested_guarded, {"a": 2, "b": -1}, executor="inline")
    assert first.execution.phase == ExecutionPhase.FAILED
    nodes = _by_id(first.document.nodes)
    assert nodes["n0"].phase == NodePhase.FAILED and nodes["n0-1"].phase == NodePhase.FAILED
    (marks / "fixed").write_text("")
    again = resume(first.execution.id, wf_composed.nested_guarded, executor="inline")
    assert again.python_outputs == 2 * (2 * -1)
    assert count_marks(marks, "guarded-2") == 1 and count_marks(marks, "guarded--1") == 2


def test_a_small_map_of_slow_elements_spreads_over_the_workers() -> None:
    result = run_entity(wf_composed.pids, {"xs": list(range(8))}, executor="process")
    assert len(set(result.python_outputs)) >= 2


def test_a_map_elements_timeout_applies_to_each_element_alone() -> None:
    result = run_entity(wf_composed.timed_elements, {"xs": list(range(6))}, executor="process")
    assert result.python_outputs == [0, 1, 2, None, 4, 5]
    store, _ = local_store()
    errors = [e for b in store.get_map_batches(result.execution.id, "n0")
              for i, e in zip(b.indices, b.errors, strict=True) if i == 3 and e]
    assert errors and errors[-1].kind == "TIMED_OUT"


def test_min_success_ratio_counts_its_share_exactly() -> None:
    result = run_entity(wf_composed.seven_percent, {"xs": list(range(100))}, executor="inline")
    assert result.python_outputs[:8] == [0, 1, 2, 3, 4, 5, 6, None]


def test_resuming_a_parent_resumes_the_failed_execution_its_launch_plan_started(
    marks: Path,
) -> None:
    first = run_entity(wf_composed.with_guarded_plan, {"x": -4}, executor="inline")
    assert first.execution.phase == ExecutionPhase.FAILED
    child_id = _by_id(first.document.nodes)["n0"].child_execution
    assert child_id is not None
    (marks / "fixed").write_text("")
    again = resume(first.execution.id, wf_composed.with_guarded_plan, executor="inline")
    assert again.python_outputs == -8
    assert _by_id(again.document.nodes)["n0"].child_execution == child_id
    store, _ = local_store()
    assert store.get_execution(child_id).phase == ExecutionPhase.SUCCEEDED
    assert count_marks(marks, "guarded--4") == 2


def test_a_failing_on_failure_workflow_keeps_the_original_error() -> None:
    result = run_entity(wf_composed.handler_fails_too, {"x": 1}, executor="inline")
    assert result.execution.phase == ExecutionPhase.FAILED
    assert result.execution.error is not None
    assert "broken on 1" in result.execution.error.message
    assert _by_id(result.document.nodes)["on_failure"].phase == NodePhase.FAILED


def test_a_parent_learns_the_end_of_a_child_execution_another_engine_took_over() -> None:
    from updraft.engine import Engine
    from updraft.engine.executors import InlineExecutor
    from updraft.runner import create_execution

    store, blobs = local_store()
    parent = create_execution(wf_composed.with_plan, {"a": 2}, store, blobs)
    here = Engine(store, InlineExecutor(blobs), blobs.root)
    state = here.add(parent.id)
    child_id = f"{parent.id}-n0"
    while here.state(child_id) is None:
        here.step(idle_wait=0.01)
    here.drop(child_id)  # its lease lapsed: another engine drives it now
    elsewhere = Engine(store, InlineExecutor(blobs), blobs.root)
    assert elsewhere.run(child_id).phase == ExecutionPhase.SUCCEEDED
    for _ in range(500):
        if state.execution.phase.terminal:
            break
        here.step(idle_wait=0.01)
    here.flush()
    assert state.execution.phase == ExecutionPhase.SUCCEEDED
    assert store.get_execution(parent.id).outputs == state.execution.outputs
