"""Workflows and launch plans called inside a workflow: nodes, nested specs, input checks."""

from __future__ import annotations

import composition_sub as cs
import pytest

from updraft import CompileError, File, LaunchPlan, task, workflow
from updraft.model import (
    InputRef,
    LiteralType,
    OutputRef,
    Scalar,
    ValueBinding,
    node_outputs,
    validate_workflow,
)


def test_a_called_workflow_becomes_a_subworkflow_node() -> None:
    spec = cs.outer.spec
    first, second, middle, add = spec.nodes
    assert (first.id, first.kind, first.task, first.workflow, first.name) == (
        "n0", "subworkflow", "", cs.inner.name, "inner"
    )
    assert first.inputs == {"x": InputRef("x"), "step": ValueBinding(Scalar(1))}
    assert second.inputs == {"x": OutputRef("n0", "o0"), "step": ValueBinding(Scalar(5))}
    assert second.upstream == ("n0",)
    assert middle.workflow == cs.middle.name
    assert add.inputs == {"a": OutputRef("n2", "o0"), "b": OutputRef("n1", "o0")}
    assert node_outputs(spec, first) == {"o0": LiteralType("int")}


def test_nested_workflows_are_flattened_into_the_parent() -> None:
    spec = cs.outer.spec
    assert set(spec.subworkflows) == {cs.inner.name, cs.middle.name}
    assert spec.subworkflows[cs.inner.name] == cs.inner.spec
    assert spec.subworkflows[cs.middle.name] == cs.middle.spec
    assert set(spec.tasks) == {cs.add.name}
    validate_workflow(spec)


def test_python_tasks_of_subworkflows_are_kept_for_shipping() -> None:
    assert set(cs.outer.tasks) == {cs.inc.name, cs.add.name}
    assert cs.outer.tasks[cs.inc.name] is cs.inc


def test_subworkflow_inputs_are_checked_like_a_tasks() -> None:
    with pytest.raises(CompileError) as info:

        @workflow
        def wrong_type(text: str) -> int:
            return cs.inner(x=text)

    assert "node 'inner' (n0): input 'x' expects int, got str (workflow input 'text')" in str(
        info.value
    )
    with pytest.raises(CompileError, match=r"input 'x' is missing \(type int\)"):

        @workflow
        def missing() -> int:
            return cs.inner()

    with pytest.raises(CompileError, match=r"has no input 'y'; its inputs are \['step', 'x'\]"):

        @workflow
        def unknown(x: int) -> int:
            return cs.inner(x=x, y=1)


@task
def size(data: File) -> int:
    return 1


@workflow
def sized(data: File = File("data.csv")) -> int:
    return size(data=data)


def test_a_subworkflow_default_stored_as_a_blob_must_be_passed() -> None:
    with pytest.raises(
        CompileError,
        match=r"input 'data' is not passed, and the default of workflow .*sized' for it "
        r"\(File\) is stored as a blob",
    ):

        @workflow
        def uses_default() -> int:
            return sized()

    @workflow
    def passes(data: File) -> int:
        return sized(data=data)

    assert passes.spec.nodes[0].inputs == {"data": InputRef("data")}


def test_a_launch_plan_call_becomes_a_child_execution_node() -> None:
    spec = cs.launches.spec
    node, add = spec.nodes
    assert (node.kind, node.workflow, node.launch_plan, node.name) == (
        "launchplan", cs.inner.name, "composition_inner_fixed", "composition_inner_fixed"
    )
    assert node.inputs == {"x": InputRef("x"), "step": ValueBinding(Scalar(10))}
    assert spec.subworkflows == {cs.inner.name: cs.inner.spec}
    assert add.upstream == ("n0",)
    assert node_outputs(spec, node) == {"o0": LiteralType("int")}


def test_launch_plan_defaults_are_bound_and_can_be_overridden() -> None:
    plan = LaunchPlan.get_or_create(cs.inner, "composition_inner_default_step",
                                    default_inputs={"step": 3})

    @workflow
    def by_default(x: int) -> int:
        return plan(x=x)

    @workflow
    def overridden(x: int) -> int:
        return plan(x=x, step=x)

    assert by_default.spec.nodes[0].inputs["step"] == ValueBinding(Scalar(3))
    assert overridden.spec.nodes[0].inputs["step"] == InputRef("x")


def test_passing_a_fixed_input_of_a_launch_plan() -> None:
    with pytest.raises(CompileError) as info:

        @workflow
        def overrides_fixed(x: int) -> int:
            return cs.inner_fixed(x=x, step=2)

    message = str(info.value)
    assert "passes input(s) 'step', which launch plan 'composition_inner_fixed' fixes" in message
    assert message.startswith(f"{__file__}:")


def test_the_default_launch_plan_is_named_after_the_workflow_function() -> None:
    plan = LaunchPlan.get_or_create(cs.middle)

    @workflow
    def launches_default(x: int) -> int:
        return plan(x=x)

    node = launches_default.spec.nodes[0]
    assert node.name == "middle" and node.launch_plan == cs.middle.name
    assert set(launches_default.spec.subworkflows) == {cs.middle.name, cs.inner.name}


def test_two_workflows_of_one_name_with_different_content() -> None:
    def make(offset: int) -> object:
        @workflow
        def twin(x: int) -> int:
            return cs.add(a=x, b=offset)

        return twin

    first, second = make(1), make(2)
    with pytest.raises(CompileError, match=r"runs a workflow named .*twin' that differs"):

        @workflow
        def both(x: int) -> int:
            return cs.add(a=first(x=x), b=second(x=x))  # type: ignore[operator]


@task
def local_step(x: int) -> int:
    return x - 1


@workflow
def local_inner(x: int) -> int:
    return local_step(x=x)


@workflow
def local_middle(x: int) -> int:
    return local_inner(x=x)


@workflow
def local_outer(x: int) -> int:
    return cs.add(a=local_middle(x=x), b=local_step(x=x))


def test_tasks_of_nested_subworkflows_are_shipped_by_value(tmp_path: object) -> None:
    import cloudpickle

    from updraft.runner._run import ship_tasks_by_value
    from updraft.store import BlobStore

    blobs = BlobStore(str(tmp_path))
    spec = ship_tasks_by_value(local_outer.spec, local_outer.tasks, blobs)
    uris = {
        spec.tasks[local_step.name].by_value,
        spec.subworkflows[local_inner.name].tasks[local_step.name].by_value,
        spec.subworkflows[local_middle.name].subworkflows[local_inner.name]
        .tasks[local_step.name].by_value,
    }
    assert len(uris) == 1 and None not in uris
    assert cloudpickle.loads(blobs.get_bytes(uris.pop()))(x=3) == 2
    assert spec.tasks[cs.add.name].by_value is None  # importable by name
