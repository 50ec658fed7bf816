"""Failure policies and ``on_failure`` handlers as the compiled spec records them."""

from __future__ import annotations

from typing import Optional

import composition_policy as cp
import composition_sub as cs
import pytest
import wf_basic

from updraft import CompileError, WorkflowFailurePolicy, task, workflow
from updraft.model import InputRef


def test_policy_and_handler_from_the_fixture() -> None:
    spec = cp.guarded.spec
    assert spec.failure_policy == "fail_after_executable_nodes_complete"
    handler = spec.on_failure
    assert handler is not None
    assert (handler.id, handler.kind, handler.task, handler.name) == (
        "on_failure", "task", cp.alert.name, "alert"
    )
    assert handler.inputs == {"x": InputRef("x")}  # `error` is the engine's to supply
    assert spec.tasks[cp.alert.name] == cp.alert.spec
    assert cp.guarded.tasks[cp.alert.name] is cp.alert
    assert [n.id for n in spec.nodes] == ["n0", "n1"]


def test_optional_error_and_no_other_inputs() -> None:
    handler = cp.tidied.spec.on_failure
    assert handler is not None and handler.inputs == {}
    assert cp.tidied.spec.failure_policy == "fail_immediately"


def test_policy_given_as_text_or_enum() -> None:
    @workflow(failure_policy="fail_after_executable_nodes_complete")
    def as_text(x: int) -> int:
        return wf_basic.inc(x=x)

    @workflow(failure_policy=WorkflowFailurePolicy.FAIL_IMMEDIATELY)
    def as_enum(x: int) -> int:
        return wf_basic.inc(x=x)

    assert as_text.spec.failure_policy == "fail_after_executable_nodes_complete"
    assert as_enum.spec.failure_policy == "fail_immediately"


def test_a_plain_workflow_carries_no_new_fields() -> None:
    """New fields stay at their defaults, so existing specs keep their content hashes."""
    import msgspec

    document = msgspec.json.decode(msgspec.json.encode(wf_basic.shapes.spec))
    assert not {"failure_policy", "on_failure", "subworkflows"} & set(document)
    for node in document["nodes"]:
        assert not {"kind", "workflow", "launch_plan", "map", "cases", "overrides"} & set(node)


def test_unknown_policy() -> None:
    with pytest.raises(CompileError, match=r"unknown failure_policy 'later'; use one of "
                                           r"'fail_immediately', "):

        @workflow(failure_policy="later")
        def later(x: int) -> int:
            return wf_basic.inc(x=x)


@task
def alert_bad_error(error: int) -> None:
    pass


@task
def alert_no_error(x: int) -> None:
    pass


@task
def alert_extra(error: str, region: str) -> None:
    pass


@task
def alert_wrong_type(error: str, x: str) -> None:
    pass


@task
def alert_defaulted(error: Optional[str], region: str = "eu") -> None:  # noqa: UP045
    pass


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        (alert_no_error, "must declare an input `error: str`.*it has none"),
        (alert_bad_error, "must declare an input `error: str`.*declares it as int"),
        (alert_extra, "declares input 'region', which the workflow does not have"),
        (alert_wrong_type, "takes input 'x' as str, but the workflow's input of that name is int"),
    ],
)
def test_handler_that_does_not_fit_the_workflow(handler: object, expected: str) -> None:
    with pytest.raises(CompileError, match=expected) as info:

        @workflow(on_failure=handler)
        def guarded(x: int) -> int:
            return wf_basic.inc(x=x)

    assert f"on_failure handler {handler.function.__name__!r}" in str(info.value)  # type: ignore[attr-defined]
    assert info.value.node == "on_failure"


def test_handler_inputs_with_defaults_are_left_to_the_handler() -> None:
    @workflow(on_failure=alert_defaulted)
    def guarded(x: int) -> int:
        return wf_basic.inc(x=x)

    assert guarded.spec.on_failure is not None and guarded.spec.on_failure.inputs == {}


def test_a_workflow_as_handler_is_a_subworkflow_node() -> None:
    @workflow
    def report(error: str, x: int) -> int:
        return cs.inc(x=x)

    @workflow(on_failure=report)
    def guarded(x: int) -> int:
        return wf_basic.inc(x=x)

    handler = guarded.spec.on_failure
    assert handler is not None
    assert (handler.kind, handler.workflow, handler.task) == ("subworkflow", report.name, "")
    assert handler.inputs == {"x": InputRef("x")}
    assert guarded.spec.subworkflows == {report.name: report.spec}
    assert cs.inc.name in guarded.tasks


def test_handler_must_be_a_task_or_workflow() -> None:
    with pytest.raises(CompileError, match="on_failure takes a @task or a @workflow"):

        @workflow(on_failure=print)
        def guarded(x: int) -> int:
            return wf_basic.inc(x=x)
