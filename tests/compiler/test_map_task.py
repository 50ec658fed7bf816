"""Map tasks in a workflow body: the map node, its list outputs, and wiring errors."""

from __future__ import annotations

import functools
from typing import Optional

import composition_map as cm
import pytest

from updraft import CompileError, map_task, task, workflow
from updraft.model import (
    InputRef,
    LiteralType,
    MapSpec,
    OutputRef,
    ValueBinding,
    node_outputs,
    optional_of,
)

INT = LiteralType("int")


def test_map_node_names_the_inner_task_and_its_mapped_inputs() -> None:
    spec = cm.squares.spec
    (node,) = spec.nodes
    assert (node.id, node.kind, node.task, node.name) == ("n0", "map", cm.square.name, "square")
    assert node.map == MapSpec(mapped=("x",))
    assert node.inputs == {"x": InputRef("xs")}
    assert spec.tasks[cm.square.name] == cm.square.spec
    assert node_outputs(spec, node) == {"o0": LiteralType("list", (INT,))}
    assert spec.outputs == {"o0": OutputRef("n0", "o0")}


def test_partial_inputs_are_fixed_and_options_recorded() -> None:
    spec = cm.scaled_total.spec
    mapped, total = spec.nodes
    assert mapped.inputs == {"x": InputRef("xs"), "factor": InputRef("factor")}
    assert mapped.map == MapSpec(mapped=("x",), concurrency=2)
    assert total.inputs == {"xs": OutputRef("n0", "o0")}
    assert total.upstream == ("n0",)


def test_zipped_lists_and_tuple_outputs() -> None:
    spec = cm.zipped.spec
    (node,) = spec.nodes
    assert node.map is not None and node.map.mapped == ("a", "b")
    assert spec.outputs == {"o0": OutputRef("n0", "o0"), "o1": OutputRef("n0", "o1")}


def test_constant_list_is_bound_as_a_value() -> None:
    node = cm.literal_list.spec.nodes[0]
    assert isinstance(node.inputs["x"], ValueBinding)


def test_min_success_ratio_makes_outputs_optional() -> None:
    spec = cm.tolerant.spec
    node = spec.nodes[0]
    assert node.map is not None and node.map.min_success_ratio == 0.5
    item = optional_of(LiteralType("float"))
    assert node_outputs(spec, node) == {"o0": LiteralType("list", (item,))}


@task
def need_floats(xs: list[float]) -> float:
    return sum(xs)


def test_optional_outputs_do_not_feed_a_list_of_plain_values() -> None:
    with pytest.raises(CompileError, match=r"expects list\[float\], got list\[float \| none\]"):

        @workflow
        def strict(xs: list[int]) -> float:
            return need_floats(xs=map_task(cm.inverse, min_success_ratio=0.9)(x=xs))


def test_promise_of_a_map_is_annotated_as_a_list() -> None:
    seen = {}

    @workflow
    def peek(xs: list[int]) -> list[Optional[float]]:  # noqa: UP045
        out = map_task(cm.inverse, min_success_ratio=0.5)(x=xs)
        seen["annotation"] = out.annotation
        return out

    assert seen["annotation"] == list[Optional[float]]  # noqa: UP045


def test_mapping_a_non_list_names_the_node_and_input() -> None:
    with pytest.raises(CompileError) as info:

        @workflow
        def not_a_list(x: int) -> list[int]:
            return map_task(cm.square)(x=x)

    message = str(info.value)
    assert "node 'square' (n0): input 'x' is mapped over, so it takes list[int]" in message
    assert "got int (workflow input 'x')" in message
    assert info.value.node == "n0" and info.value.input == "x"
    assert message.startswith(f"{__file__}:")


def test_mapping_a_list_of_the_wrong_item_type() -> None:
    with pytest.raises(CompileError, match=r"takes list\[int\]; got list\[str\].*items are not"):

        @workflow
        def wrong_items(names: list[str]) -> list[int]:
            return map_task(cm.square)(x=names)


def test_mapping_a_constant_that_is_not_a_list() -> None:
    with pytest.raises(CompileError, match=r"input 'x' is mapped over.*got int 3"):

        @workflow
        def constant() -> list[int]:
            return map_task(cm.square)(x=3)


def test_partial_binding_an_unknown_input() -> None:
    with pytest.raises(CompileError) as info:

        @workflow
        def unknown(xs: list[int]) -> list[int]:
            return map_task(functools.partial(cm.scale, facter=2))(x=xs)

    assert "node 'scale' (n0) binds 'facter' with functools.partial" in str(info.value)
    assert "its inputs are ['factor', 'x']" in str(info.value)


def test_input_neither_mapped_nor_bound() -> None:
    with pytest.raises(CompileError, match=r"input 'factor' \(int\) is neither mapped nor fixed"):

        @workflow
        def unbound(xs: list[int]) -> list[int]:
            return map_task(cm.scale)(x=xs)


def test_input_both_bound_and_mapped() -> None:
    with pytest.raises(CompileError, match=r"both bound by functools\.partial and passed"):

        @workflow
        def twice(xs: list[int]) -> list[int]:
            return map_task(functools.partial(cm.scale, factor=2))(x=xs, factor=[1])


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"min_success_ratio": 1.5}, "min_success_ratio must be a number from 0 to 1, got 1.5"),
        ({"min_success_ratio": -0.1}, "min_success_ratio must be a number from 0 to 1"),
        ({"concurrency": 0}, "concurrency must be an integer of at least 1 or None, got 0"),
    ],
)
def test_options_out_of_range_name_the_node(options: dict[str, float], expected: str) -> None:
    with pytest.raises(CompileError) as info:

        @workflow
        def bad_options(xs: list[int]) -> list[int]:
            return map_task(cm.square, **options)(x=xs)  # type: ignore[arg-type]

    assert "node 'square' (n0)" in str(info.value)
    assert expected in str(info.value)


def test_options_out_of_range_outside_a_workflow() -> None:
    with pytest.raises(ValueError, match="concurrency must be an integer"):
        map_task(cm.square, concurrency=0)


def test_map_over_nothing() -> None:
    with pytest.raises(CompileError, match="maps over nothing"):

        @workflow
        def nothing() -> list[int]:
            return map_task(cm.square)()


def test_map_task_takes_only_tasks() -> None:
    with pytest.raises(TypeError, match=r"map_task takes a @task"):
        map_task(lambda x: x)
    with pytest.raises(TypeError, match="binds positional arguments"):
        map_task(functools.partial(cm.scale, 1))


def test_map_output_feeds_a_list_input_and_a_second_map() -> None:
    @workflow
    def chained(xs: list[int]) -> int:
        squared = map_task(cm.square)(x=xs)
        return cm.total(xs=map_task(cm.square)(x=squared))

    _, second, total = chained.spec.nodes
    assert second.inputs == {"x": OutputRef("n0", "o0")}
    assert second.upstream == ("n0",) and total.upstream == ("n1",)
