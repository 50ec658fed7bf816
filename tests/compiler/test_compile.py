"""Compiling workflow bodies: node ids, bindings, and wiring errors that point at the user."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import wf_basic

from updraft import CompileError, task, workflow
from updraft.model import InputRef, ListBinding, OutputRef, ValueBinding


def test_nodes_get_stable_ids_in_creation_order() -> None:
    spec = wf_basic.chain.spec
    assert [n.id for n in spec.nodes] == ["n0", "n1", "n2", "n3", "n4"]
    assert spec.nodes[0].inputs == {"x": InputRef("x")}
    assert spec.nodes[1].inputs == {"x": OutputRef("n0", "o0")}
    assert spec.nodes[1].upstream == ("n0",)
    assert spec.outputs == {"o0": OutputRef("n4", "o0")}
    assert spec.name == "wf_basic.chain"
    assert spec.tasks["wf_basic.inc"].entry_point == "wf_basic:inc"


def test_list_of_promises_becomes_a_list_binding() -> None:
    spec = wf_basic.fan_out.spec
    total = spec.nodes[-1]
    assert isinstance(total.inputs["xs"], ListBinding)
    assert len(total.upstream) == 10


def test_tuple_and_namedtuple_outputs_are_named() -> None:
    tasks = wf_basic.shapes.spec.tasks
    assert list(tasks["wf_basic.divmod_task"].interface.outputs) == ["o0", "o1"]
    assert list(tasks["wf_basic.stats"].interface.outputs) == ["mean", "count"]
    assert list(wf_basic.shapes.spec.outputs) == ["o0", "o1", "o2", "o3"]


def test_constants_are_bound_as_values() -> None:
    greet_node = wf_basic.shapes.spec.nodes[-1]
    assert isinstance(greet_node.inputs["name"], ValueBinding)
    assert "punctuation" not in greet_node.inputs  # the task's own default applies


@task
def needs_str(text: str) -> str:
    return text


@task
def gives_int() -> int:
    return 1


def test_wrong_type_names_workflow_node_input_and_line() -> None:
    with pytest.raises(CompileError) as info:

        @workflow
        def wired_wrong() -> str:
            n = gives_int()
            return needs_str(text=n)  # the offending line

    message = str(info.value)
    line = _line_of("return needs_str(text=n)  # the offending line")
    assert message.startswith(f"{__file__}:{line}:")
    assert "wired_wrong" in message
    assert "'needs_str'" in message and "input 'text'" in message
    assert "expects str, got int" in message
    assert "output 'o0' of node 'gives_int'" in message
    assert info.value.node == "n1" and info.value.input == "text"


def test_missing_input_is_named() -> None:
    with pytest.raises(CompileError, match=r"input 'text' is missing \(type str\)"):

        @workflow
        def missing() -> str:
            return needs_str()


def test_unknown_input_lists_the_known_ones() -> None:
    with pytest.raises(CompileError, match=r"has no input 'txt'; its inputs are \['text'\]"):

        @workflow
        def unknown() -> str:
            return needs_str(txt="a")


def test_constant_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(CompileError, match="input 'text' expects str, got int"):

        @workflow
        def constant() -> str:
            return needs_str(text=3)


@task
def joins(texts: list[str]) -> str:
    return "".join(texts)


def test_wrong_item_in_a_list_of_promises_names_the_items_type() -> None:
    with pytest.raises(
        CompileError, match=r"input 'texts' expects items of type str, got int 3: expected str"
    ):

        @workflow
        def mixed() -> str:
            return joins(texts=[needs_str(text="a"), 3])


def test_branching_on_a_promise_explains_why_not() -> None:
    with pytest.raises(TypeError, match="cannot be used in `if`"):

        @workflow
        def branching() -> int:
            n = gives_int()
            if n:
                return n
            return n


def test_returned_type_must_match_declared_output() -> None:
    with pytest.raises(CompileError, match="output 'o0' expects int, got str"):

        @workflow
        def returns_str() -> int:
            return needs_str(text="x")


def test_spec_hash_is_stable_across_processes() -> None:
    code = (
        f"import sys, json; sys.path.insert(0, {str(Path(wf_basic.__file__).parent)!r});"
        "import wf_basic; print(json.dumps(wf_basic.shapes.spec_hash))"
    )
    hashes = {
        json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))
        for _ in range(2)
    }
    assert hashes == {wf_basic.shapes.spec_hash}


def _line_of(text: str) -> int:
    for number, line in enumerate(Path(__file__).read_text().splitlines(), start=1):
        if text in line and "_line_of" not in line:
            return number
    raise AssertionError(text)


def test_a_workflow_may_return_a_list_of_task_outputs() -> None:
    @workflow
    def many() -> list[int]:
        return [gives_int() for _ in range(3)]

    binding = many.spec.outputs["o0"]
    assert isinstance(binding, ListBinding)
    assert [b.node for b in binding.items] == ["n0", "n1", "n2"]
