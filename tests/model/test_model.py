"""The wire model: JSON round trips without loss, and content hashes that ignore locations."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from updraft.model import (
    Blob,
    Collection,
    ErrorInfo,
    Execution,
    ExecutionDocument,
    ExecutionPhase,
    InputRef,
    Interface,
    ListBinding,
    LiteralType,
    Map,
    NodeExecution,
    NodeSpec,
    OutputRef,
    Parameter,
    Scalar,
    SourceLocation,
    SpecError,
    TaskSpec,
    UnionValue,
    ValueBinding,
    WorkflowSpec,
    content_hash,
    literal_hash,
    topological_order,
    validate_workflow,
)

INT = LiteralType("int")


def _task(name: str = "m.inc") -> TaskSpec:
    return TaskSpec(
        name=name,
        entry_point=name.replace(".", ":"),
        interface=Interface(inputs={"x": Parameter(INT)}, outputs={"o0": INT}),
        location=SourceLocation("/a/m.py", 3),
        docstring="adds one",
    )


def _workflow(**changes: object) -> WorkflowSpec:
    spec = WorkflowSpec(
        name="m.wf",
        interface=Interface(inputs={"x": Parameter(INT, Scalar(1), True)}, outputs={"o0": INT}),
        nodes=(
            NodeSpec("n0", "m.inc", "inc", {"x": InputRef("x")}),
            NodeSpec("n1", "m.inc", "inc", {"x": OutputRef("n0", "o0")}, ("n0",),
                     SourceLocation("/a/m.py", 9)),
        ),
        outputs={"o0": OutputRef("n1", "o0")},
        tasks={"m.inc": _task()},
    )
    return msgspec.structs.replace(spec, **changes)


def test_specs_round_trip_through_json() -> None:
    spec = _workflow()
    assert msgspec.json.decode(msgspec.json.encode(spec), type=WorkflowSpec) == spec


def test_execution_document_round_trips() -> None:
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    document = ExecutionDocument(
        execution=Execution(
            id="e1", workflow="m.wf", spec_hash="h", inputs={"x": Scalar(1)},
            phase=ExecutionPhase.FAILED, created_at=now,
            error=ErrorInfo("USER_ERROR", "ValueError: no", "Traceback ...", "n1"),
            labels={"team": "ml"},
        ),
        nodes=[NodeExecution("n0", "inc", outputs={
            "o0": UnionValue(1, Collection((Map({"a": Blob("s3://b/k", "ff", "file")}),)))
        })],
    )
    encoded = msgspec.json.encode(document)
    assert msgspec.json.decode(encoded, type=ExecutionDocument) == document


def test_content_hash_ignores_locations_and_docstrings() -> None:
    moved = _workflow(location=SourceLocation("/elsewhere.py", 99), docstring="new words")
    assert content_hash(moved) == content_hash(_workflow())
    changed = _workflow(outputs={"o0": OutputRef("n0", "o0")})
    assert content_hash(changed) != content_hash(_workflow())


def test_blob_hash_is_by_content_not_location() -> None:
    a = Blob("file:///one/data.csv", "abc", "file", "csv")
    b = Blob("s3://bucket/two.csv", "abc", "file", "csv")
    assert literal_hash(a) == literal_hash(b)
    assert literal_hash(a) != literal_hash(Blob("file:///one/data.csv", "abd", "file", "csv"))


def test_cycles_and_dangling_references_are_reported() -> None:
    cyclic = _workflow(
        nodes=(
            NodeSpec("n0", "m.inc", "inc", {"x": OutputRef("n1", "o0")}, ("n1",)),
            NodeSpec("n1", "m.inc", "inc", {"x": OutputRef("n0", "o0")}, ("n0",)),
        )
    )
    try:
        topological_order(cyclic)
    except SpecError as exc:
        assert "cycle" in str(exc) and "m.wf" in str(exc)
    else:
        raise AssertionError("cycle not detected")
    dangling = _workflow(
        nodes=(NodeSpec("n0", "m.inc", "inc", {"x": OutputRef("n0", "nope")}, ("n0",)),)
    )
    try:
        validate_workflow(dangling)
    except SpecError as exc:
        assert "no output 'nope'" in str(exc)
    else:
        raise AssertionError("dangling reference not detected")


def test_describe_types() -> None:
    assert LiteralType("list", (INT,)).describe() == "list[int]"
    assert LiteralType("union", (INT, LiteralType("none"))).describe() == "int | none"
    assert ListBinding((ValueBinding(Scalar(1)),)).items[0] == ValueBinding(Scalar(1))


def test_user_data_named_like_a_location_still_counts() -> None:
    def with_default(location: str) -> WorkflowSpec:
        value = Map({"location": Scalar(location)})
        return _workflow(
            interface=Interface(
                inputs={"x": Parameter(LiteralType("dict", (LiteralType("str"),)), value, True)},
                outputs={"o0": INT},
            )
        )

    assert content_hash(with_default("here")) != content_hash(with_default("there"))
