"""Dynamic tasks: the node a workflow gets, and the sub-workflow the expander builds from real
values, with constants written to a real blob store and test-defined tasks shipped by value."""

from __future__ import annotations

import importlib
from pathlib import Path

import cloudpickle
import composition_dynamic as cd
import pytest

from tests._support import RESOURCES
from updraft import CompileError, File, conditional, dynamic, task, workflow
from updraft.model import (
    AttemptRequest,
    Blob,
    BoolOp,
    Collection,
    Comparison,
    InputRef,
    Interface,
    LiteralType,
    OutputRef,
    Scalar,
    ValueBinding,
    WorkflowSpec,
    validate_workflow,
)
from updraft.runner._dynamic import expand
from updraft.store import BlobStore


@pytest.fixture
def blobs(tmp_path: Path) -> BlobStore:
    return BlobStore(str(tmp_path / "blobs"))


def request_for(task: object, blobs: BlobStore,
                code_paths: tuple[str, ...] = (str(RESOURCES),)) -> AttemptRequest:
    name = task.name  # type: ignore[attr-defined]
    return AttemptRequest(
        id="e1-n0-1", execution_id="e1", node_id="n0", attempt=1, task_name=name,
        entry_point="unused:unused", inputs={}, output_prefix="e1/n0/1", blob_root=blobs.root,
        code_paths=code_paths,
    )


def run_expand(task: object, blobs: BlobStore, **kwargs: object) -> WorkflowSpec:
    return expand(task.function, kwargs, request_for(task, blobs), blobs)  # type: ignore[attr-defined]


def test_tasks_from_a_root_the_workers_lack_travel_by_value(blobs: BlobStore) -> None:
    request = request_for(cd.sum_of_squares, blobs, code_paths=("/somewhere/else",))
    spec = expand(cd.sum_of_squares.function, {"n": 2}, request, blobs)
    assert set(spec.tasks) == {cd.square.name, cd.total.name}
    assert all(t.by_value for t in spec.tasks.values())


def test_expander_entry_point_names_expand() -> None:
    from updraft.model import DYNAMIC_EXPANDER  # what the engine puts on a dynamic attempt

    module, _, name = DYNAMIC_EXPANDER.partition(":")
    assert getattr(importlib.import_module(module), name) is expand


def test_a_dynamic_task_is_a_task_node_of_a_dynamic_task() -> None:
    spec = cd.squares_total.spec
    (node,) = spec.nodes
    assert node.kind == "task" and node.task == cd.sum_of_squares.name
    assert spec.tasks[cd.sum_of_squares.name].kind == "dynamic"
    assert cd.square.spec.kind == "python"


def test_expansion_builds_one_node_per_call(blobs: BlobStore) -> None:
    spec = run_expand(cd.sum_of_squares, blobs, n=3)
    assert spec.name == f"{cd.sum_of_squares.name}[dynamic]"
    assert spec.interface == Interface(outputs={"o0": LiteralType("int")})
    assert [(n.id, n.name) for n in spec.nodes] == [
        ("n0", "square"), ("n1", "square"), ("n2", "square"), ("n3", "total")
    ]
    assert [n.inputs["x"] for n in spec.nodes[:3]] == [
        ValueBinding(Scalar(i)) for i in range(3)
    ]
    assert spec.nodes[3].upstream == ("n0", "n1", "n2")
    assert spec.outputs == {"o0": OutputRef("n3", "o0")}
    assert set(spec.tasks) == {cd.square.name, cd.total.name}
    assert all(t.by_value is None for t in spec.tasks.values())
    validate_workflow(spec)


def test_real_values_decide_the_calls(blobs: BlobStore) -> None:
    odd = run_expand(cd.describe, blobs, n=3)
    even = run_expand(cd.describe, blobs, n=4)
    assert odd.nodes[0].inputs["text"] == ValueBinding(Scalar("odd"))
    assert even.nodes[0].inputs["text"] == ValueBinding(Scalar("even"))


def test_a_plain_return_value_is_a_constant_output(blobs: BlobStore) -> None:
    spec = run_expand(cd.doubled, blobs, n=21)
    assert spec.nodes == ()
    assert spec.outputs == {"o0": ValueBinding(Scalar(42))}


def test_nested_dynamic_maps_and_conditionals(blobs: BlobStore) -> None:
    nested = run_expand(cd.nested, blobs, n=2)
    assert nested.nodes[0].task == cd.sum_of_squares.name
    assert nested.tasks[cd.sum_of_squares.name].kind == "dynamic"
    assert nested.nodes[0].inputs == {"n": ValueBinding(Scalar(3))}

    mapped = run_expand(cd.mapped_squares, blobs, n=3)
    assert mapped.nodes[0].kind == "map"
    assert mapped.nodes[0].inputs["x"] == ValueBinding(
        Collection((Scalar(0), Scalar(1), Scalar(2)))
    )

    branchy = run_expand(cd.branchy, blobs, n=4)
    _, branch = branchy.nodes
    assert branch.kind == "branch" and branch.upstream == ("n0",)
    assert [c.node.id for c in branch.cases if c.node] == ["n1-0", "n1-1"]
    assert branchy.outputs == {"o0": OutputRef("n1", "o0")}


def test_files_among_the_inputs_are_written_under_the_attempt(
    blobs: BlobStore, tmp_path: Path
) -> None:
    paths = []
    for i in range(2):
        path = tmp_path / f"part{i}.txt"
        path.write_text("a\n" * (i + 1))
        paths.append(File(str(path)))
    spec = run_expand(cd.lines, blobs, files=paths)
    counts = spec.nodes[:2]
    literals = [n.inputs["data"] for n in counts]
    assert all(isinstance(b, ValueBinding) and isinstance(b.value, Blob) for b in literals)
    uris = [b.value.uri for b in literals]  # type: ignore[union-attr]
    assert all("e1/n0/1/dynamic" in uri for uri in uris)
    assert [Path(uri).read_text() for uri in uris] == ["a\n", "a\na\n"]


@task
def triple(x: int) -> int:
    return 3 * x


@dynamic
def triples(n: int) -> list[int]:
    return [triple(x=i) for i in range(n)]


def test_tasks_defined_in_a_test_are_shipped_by_value(blobs: BlobStore) -> None:
    spec = run_expand(triples, blobs, n=2)
    shipped = spec.tasks[triple.name]
    assert shipped.by_value is not None
    function = cloudpickle.loads(blobs.get_bytes(shipped.by_value))
    assert function(x=5) == 15
    assert spec.outputs == {"o0": _list_of("n0", "n1")}


def _list_of(*nodes: str) -> object:
    from updraft.model import ListBinding

    return ListBinding(tuple(OutputRef(n, "o0") for n in nodes))


@dynamic
def miswired(n: int) -> int:
    return triple(x=str(n))  # type: ignore[arg-type]


@dynamic
def wrong_return(n: int) -> int:
    return "many"  # type: ignore[return-value]


def test_wiring_mistakes_in_a_dynamic_body(blobs: BlobStore) -> None:
    with pytest.raises(CompileError) as info:
        run_expand(miswired, blobs, n=1)
    message = str(info.value)
    assert f"workflow '{miswired.name}[dynamic]', node 'triple' (n0): input 'x' expects int, " \
        "got str '1'" in message
    assert message.startswith(f"{__file__}:")
    with pytest.raises(CompileError, match=r"output 'o0' expects int, got str 'many'"):
        run_expand(wrong_return, blobs, n=1)


def test_a_dynamic_task_outside_a_workflow_is_its_function() -> None:
    assert cd.sum_of_squares(n=4) == 0 + 1 + 4 + 9
    assert cd.describe(n=3) == "odd:3"
    assert repr(cd.sum_of_squares).startswith("<dynamic task ")


def test_dynamic_tasks_take_task_options() -> None:
    @dynamic(retries=2, cache=True, cache_version="7")
    def configured(n: int) -> int:
        return n

    @workflow
    def uses(n: int) -> int:
        return configured(n=n)

    spec = uses.spec.tasks[configured.name]
    assert (spec.kind, spec.retries, spec.cache.enabled, spec.cache.version) == (
        "dynamic", 2, True, "7"
    )
    assert uses.spec.nodes[0].inputs == {"n": InputRef("n")}


@dynamic
def decided(n: int) -> int:
    parts = [triple(x=i) for i in range(n)]
    return (
        conditional("many")
        .if_(n > 2).then(triple(x=n))
        .elif_((n == 2) & (parts[0] < parts[1])).then(triple(x=0))
        .else_().then(triple(x=1))
    )


def test_comparisons_of_real_values_are_decided_conditions(blobs: BlobStore) -> None:
    spec = run_expand(decided, blobs, n=2)
    first, second, _ = spec.nodes[-1].cases
    true = ValueBinding(Scalar(True))
    assert first.condition == Comparison("==", ValueBinding(Scalar(False)), true)
    assert second.condition == BoolOp(
        "and",
        Comparison("==", true, true),
        Comparison("<", OutputRef("n0", "o0"), OutputRef("n1", "o0")),
    )
    assert spec.nodes[-1].upstream == ("n0", "n1")
