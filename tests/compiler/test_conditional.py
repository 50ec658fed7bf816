"""Conditionals: one branch node with its arms, conditions over workflow values, typed outputs."""

from __future__ import annotations

from enum import Enum
from typing import Optional

import composition_branch as cb
import pytest

from updraft import CompileError, conditional, map_task, task, workflow
from updraft.model import (
    BoolOp,
    BranchCase,
    Comparison,
    InputRef,
    LiteralType,
    OutputRef,
    Scalar,
    ValueBinding,
    node_outputs,
)


def test_branch_is_one_node_with_an_arm_per_case() -> None:
    spec = cb.resize.spec
    (branch,) = spec.nodes
    assert (branch.id, branch.kind, branch.task, branch.name) == ("n0", "branch", "", "resize")
    first, second, last = branch.cases
    assert first.condition == Comparison(">", InputRef("x"), ValueBinding(Scalar(10.0)))
    assert first.node is not None
    assert (first.node.id, first.node.task, first.node.name) == ("n0-0", cb.halve.name, "halve")
    assert second.condition == BoolOp(
        "and",
        Comparison(">=", InputRef("x"), ValueBinding(Scalar(1.0))),
        Comparison("<=", InputRef("x"), ValueBinding(Scalar(10.0))),
    )
    assert second.node is not None and second.node.id == "n0-1"
    assert last == BranchCase(condition=None, fail="x must be at least 1")
    assert spec.outputs == {"o0": OutputRef("n0", "o0")}
    assert node_outputs(spec, branch) == {"o0": LiteralType("float")}
    assert set(spec.tasks) == {cb.halve.name, cb.double.name}


def test_condition_on_a_node_output_makes_the_branch_wait_for_it() -> None:
    spec = cb.on_output.spec
    _, branch, after = spec.nodes
    assert branch.kind == "branch" and branch.upstream == ("n0",)
    assert branch.cases[0].condition == Comparison(
        "==", OutputRef("n0", "o0"), ValueBinding(Scalar(True))
    )
    assert after.inputs == {"x": OutputRef("n1", "o0")} and after.upstream == ("n1",)


def test_boolean_input_is_a_condition_by_itself() -> None:
    branch = cb.coin.spec.nodes[0]
    assert branch.cases[0].condition == Comparison(
        "==", InputRef("flag"), ValueBinding(Scalar(True))
    )
    assert branch.cases[1].condition is None


def test_conditional_without_else_and_without_outputs() -> None:
    spec = cb.maybe_note.spec
    (branch,) = spec.nodes
    assert len(branch.cases) == 1 and spec.outputs == {}


@task
def produce(x: int) -> int:
    return x


@task
def produce_text(x: int) -> str:
    return str(x)


@task
def make_pair(x: int) -> tuple[int, str]:
    return x, str(x)


def test_arms_reading_node_outputs_put_them_upstream_of_the_branch() -> None:
    @workflow
    def reads(x: int) -> int:
        a = produce(x=x)
        b = produce(x=x)
        return (
            conditional("pick")
            .if_(a > 1).then(produce(x=b))
            .else_().then(produce(x=x))
        )

    branch = reads.spec.nodes[2]
    assert branch.id == "n2" and branch.upstream == ("n0", "n1")
    assert branch.cases[0].node is not None
    assert branch.cases[0].node.upstream == ("n1",)


def test_nodes_after_the_conditional_keep_counting() -> None:
    @workflow
    def after(x: int) -> int:
        y = conditional("c").if_(x > 0).then(produce(x=x)).else_().then(produce(x=1))
        return produce(x=y)

    assert [n.id for n in after.spec.nodes] == ["n0", "n1"]


def test_arms_with_outputs_of_different_types_name_both() -> None:
    with pytest.raises(CompileError) as info:

        @workflow
        def mixed(x: int) -> int:
            return (
                conditional("mixed")
                .if_(x > 1).then(produce(x=x))
                .else_().then(produce_text(x=x))
            )

    message = str(info.value)
    assert "conditional 'mixed' (n0): arm 1 (else_()) calls 'produce_text'" in message
    assert "produces {o0: str}" in message and "arm 0 (if_()) produces {o0: int}" in message
    assert message.startswith(f"{__file__}:")


def test_arms_with_different_output_names() -> None:
    with pytest.raises(CompileError, match=r"produces \{o0: int, o1: str\}"):

        @workflow
        def shapes(x: int) -> int:
            return conditional("s").if_(x > 1).then(produce(x=x)).else_().then(make_pair(x=x))


def test_outputs_without_else_are_refused() -> None:
    with pytest.raises(CompileError, match=r"conditional 'partial' \(n0\): produces \{o0: int\} "
                                           r"but has no else_\(\) arm"):

        @workflow
        def partial_branch(x: int) -> None:
            conditional("partial").if_(x > 1).then(produce(x=x))


def test_failing_else_arm_keeps_the_outputs_of_the_others() -> None:
    @workflow
    def guarded(x: int) -> int:
        return conditional("g").if_(x > 1).then(produce(x=x)).else_().fail("too small")

    assert guarded.spec.outputs == {"o0": OutputRef("n0", "o0")}


def test_two_calls_in_one_arm_are_refused() -> None:
    with pytest.raises(CompileError, match=r"an arm takes a single call, but 'produce' and "
                                           r"'produce' are both called in it"):

        @workflow
        def nested(x: int) -> int:
            return (
                conditional("n")
                .if_(x > 1).then(produce(x=produce(x=x)))
                .else_().then(produce(x=x))
            )


def test_then_needs_a_call_made_in_the_arm() -> None:
    with pytest.raises(CompileError, match=r"then\(\.\.\.\) takes the call made in it"):

        @workflow
        def no_call(x: int) -> int:
            y = produce(x=x)
            return conditional("nc").if_(x > 1).then(y).else_().then(produce(x=x))


def test_map_and_subworkflow_calls_are_arms_too() -> None:
    @workflow
    def sub(x: int) -> int:
        return produce(x=x)

    @workflow
    def arms(xs: list[int], x: int) -> list[int]:
        return (
            conditional("arms")
            .if_(x > 1).then(map_task(produce)(x=xs))
            .else_().then(map_task(produce)(x=[x]))
        )

    @workflow
    def sub_arm(x: int) -> int:
        return conditional("s").if_(x > 1).then(sub(x=x)).else_().then(produce(x=x))

    assert [c.node.kind for c in arms.spec.nodes[0].cases if c.node] == ["map", "map"]
    case = sub_arm.spec.nodes[0].cases[0]
    assert case.node is not None and case.node.kind == "subworkflow"
    assert sub.name in sub_arm.spec.subworkflows


def test_conditions_compare_compatible_types_only() -> None:
    with pytest.raises(CompileError, match=r"`workflow input 'x' > 'a'` compares int with str"):

        @workflow
        def int_vs_str(x: int) -> int:
            return conditional("c").if_(x > "a").then(produce(x=x)).else_().then(produce(x=x))

    with pytest.raises(CompileError, match=r"the left side is list\[int\], which cannot be"):

        @workflow
        def a_list(xs: list[int], x: int) -> int:
            return conditional("c").if_(xs == 1).then(produce(x=x)).else_().then(produce(x=x))

    with pytest.raises(CompileError, match="the left side is bool, which cannot be ordered"):

        @workflow
        def ordered_bool(flag: bool, x: int) -> int:
            return (
                conditional("c").if_(flag < True).then(produce(x=x)).else_().then(produce(x=x))
            )


class Color(Enum):
    RED = "red"
    BLUE = "blue"


def test_comparisons_of_numbers_optionals_enums_and_promises() -> None:
    @workflow
    def compares(x: int, y: float, maybe: Optional[int], color: Color) -> int:  # noqa: UP045
        return (
            conditional("c")
            .if_((x < y) | (maybe == None)).then(produce(x=x))  # noqa: E711
            .elif_(color == Color.BLUE).then(produce(x=x))
            .elif_(x != 3).then(produce(x=x))
            .else_().then(produce(x=x))
        )

    cases = compares.spec.nodes[0].cases
    assert cases[0].condition == BoolOp(
        "or",
        Comparison("<", InputRef("x"), InputRef("y")),
        Comparison("==", InputRef("maybe"), ValueBinding(Scalar(None))),
    )
    assert cases[1].condition == Comparison("==", InputRef("color"), ValueBinding(Scalar("blue")))
    assert cases[2].condition == Comparison("!=", InputRef("x"), ValueBinding(Scalar(3)))


def test_using_a_condition_in_python_logic_points_to_conditional() -> None:
    with pytest.raises(TypeError, match=r"`workflow input 'x' > 1`.*conditional\(\"name\"\)"):

        @workflow
        def python_if(x: int) -> int:
            if x > 1:
                return produce(x=x)
            return produce(x=1)

    with pytest.raises(TypeError, match=r"combine conditions with & and \| \(each side in"):

        @workflow
        def python_and(x: int) -> int:
            return (
                conditional("c")
                .if_(x > 1 and x < 5).then(produce(x=x))
                .else_().then(produce(x=x))
            )


def test_if_takes_a_condition() -> None:
    with pytest.raises(CompileError, match=r"if_\(\) takes a condition such as `x > 0.5`"):

        @workflow
        def not_a_condition(x: int) -> int:
            return conditional("c").if_(x).then(produce(x=x)).else_().then(produce(x=x))


def test_an_arm_left_open_is_reported() -> None:
    with pytest.raises(CompileError, match=r"if_\(\) is not followed by then\(call\)"):

        @workflow
        def open_arm(x: int) -> None:
            conditional("open").if_(x > 1)


def test_a_second_elif_before_then_names_the_open_arm() -> None:
    with pytest.raises(
        CompileError,
        match=r"conditional 'twice' \(n0\): elif_\(\) follows an arm that has no then\(\.\.\.\)",
    ):

        @workflow
        def twice(x: int) -> int:
            branches = conditional("twice").if_(x > 1).then(produce(x=x))
            branches.elif_(x > 2)
            branches.elif_(x > 3)
            return produce(x=x)


def test_conditional_outside_a_body() -> None:
    with pytest.raises(TypeError, match="use a plain `if`"):
        conditional("nowhere")


def test_branch_outputs_can_be_ordered_and_renamed() -> None:
    @workflow
    def ordered(x: int) -> int:
        first = produce(x=x)
        picked = conditional("p").if_(x > 1).then(produce(x=x)).else_().then(produce(x=2))
        first >> picked
        return picked.with_overrides(name="picked")

    _, branch = ordered.spec.nodes
    assert branch.upstream == ("n0",) and branch.name == "picked"

    with pytest.raises(CompileError, match="is a branch node; with_overrides"):

        @workflow
        def resources(x: int) -> int:
            picked = conditional("p").if_(x > 1).then(produce(x=x)).else_().then(produce(x=2))
            return picked.with_overrides(retries=2)
