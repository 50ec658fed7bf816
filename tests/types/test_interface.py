"""interface_of: inputs, output naming per DESIGN, defaults in the wire model, errors."""

from __future__ import annotations

import dataclasses
import enum
from pathlib import Path
from typing import Annotated, NamedTuple

import pandas as pd
import pytest

from updraft.model import Collection, LiteralType, Map, Parameter, Scalar, UnionValue
from updraft.types import (
    Columns,
    File,
    TypeAnnotationError,
    TypeConversionError,
    describe,
    interface_of,
)

Features = Annotated[pd.DataFrame, Columns(age=int, bmi=float)]


class Mode(enum.Enum):
    FAST = "fast"


@dataclasses.dataclass
class Opts:
    depth: int = 3


class Scores(NamedTuple):
    accuracy: float
    loss: float


def single(x: int, ratio: float = 0.5) -> str:
    return f"{x}{ratio}"


def pair(data: File, seed: int = 7) -> tuple[Features, Features]:
    raise NotImplementedError


def named() -> Scores:
    return Scores(0.9, 0.1)


def nothing(x: int) -> None:
    return None


def unannotated_return(x: int):  # type: ignore[no-untyped-def]
    return x


def defaults(
    n: int | None = None,
    xs: list[int] = [1, 2],  # noqa: B006
    mode: Mode = Mode.FAST,
    opts: Opts = Opts(),
    data: File = File("data/missing.csv"),
) -> None:
    pass


def test_inputs_carry_annotation_default_and_type() -> None:
    interface = interface_of(single)
    assert list(interface.inputs) == ["x", "ratio"]
    x, ratio = interface.inputs["x"], interface.inputs["ratio"]
    assert x.annotation is int and not x.has_default and x.literal_type == LiteralType("int")
    assert ratio.has_default and ratio.default == 0.5
    assert interface.name == f"{__name__}.single"


def test_single_output_is_o0() -> None:
    interface = interface_of(single)
    assert interface.outputs == {"o0": str}
    assert interface.output_types == {"o0": LiteralType("str")}
    assert interface.outputs_to_dict("a") == {"o0": "a"}
    assert interface.outputs_from_dict({"o0": "a"}) == "a"


def test_tuple_outputs_are_o0_o1() -> None:
    interface = interface_of(pair)
    assert list(interface.outputs) == ["o0", "o1"]
    assert interface.output_types["o1"].columns == (("age", "int"), ("bmi", "float"))
    assert interface.outputs_to_dict((1, 2)) == {"o0": 1, "o1": 2}
    assert interface.outputs_from_dict({"o0": 1, "o1": 2}) == (1, 2)
    with pytest.raises(TypeConversionError, match=r"'.*pair' returned 3 values.*declares 2"):
        interface.outputs_to_dict((1, 2, 3))
    with pytest.raises(TypeConversionError, match="must return a tuple of 2 values"):
        interface.outputs_to_dict(5)


def test_namedtuple_outputs_are_its_fields() -> None:
    interface = interface_of(named)
    assert list(interface.outputs) == ["accuracy", "loss"]
    assert interface.outputs_to_dict(Scores(0.9, 0.1)) == {"accuracy": 0.9, "loss": 0.1}
    rebuilt = interface.outputs_from_dict({"accuracy": 0.9, "loss": 0.1})
    assert isinstance(rebuilt, Scores) and rebuilt.loss == 0.1


def test_none_or_absent_return_means_no_outputs() -> None:
    for func in (nothing, unannotated_return):
        interface = interface_of(func)
        assert interface.outputs == {} and interface.output_types == {}
        assert interface.outputs_to_dict(None) == {}
        assert interface.outputs_from_dict({}) is None
    with pytest.raises(TypeConversionError, match="declares no outputs; add a return annotation"):
        interface_of(unannotated_return).outputs_to_dict(3)


def test_missing_annotation_names_function_and_parameter() -> None:
    def train(data: File, epochs) -> None:  # type: ignore[no-untyped-def]
        pass

    with pytest.raises(TypeAnnotationError, match=r"'.*train': parameter 'epochs' has no type"):
        interface_of(train)


def test_varargs_and_bare_list_are_refused() -> None:
    def star(*xs: int) -> None:
        pass

    def bare(xs: list) -> None:  # type: ignore[type-arg]
        pass

    with pytest.raises(TypeAnnotationError, match=r"\*xs is not supported"):
        interface_of(star)
    with pytest.raises(TypeAnnotationError, match=r"parameter 'xs': bare 'list'.*list\[T\]"):
        interface_of(bare)


def test_interface_is_cached_per_function() -> None:
    assert interface_of(single) is interface_of(single)


def test_to_model_stores_inline_defaults_only() -> None:
    model = interface_of(defaults).to_model()
    inputs = model.inputs
    assert inputs["n"] == Parameter(
        type=LiteralType("union", args=(LiteralType("int"), LiteralType("none"))),
        default=UnionValue(1, Scalar(None)),
        has_default=True,
    )
    assert inputs["xs"].default == Collection((Scalar(1), Scalar(2)))
    assert inputs["mode"].default == Scalar("fast")
    assert inputs["opts"].default == Map({"depth": Scalar(3)})
    assert inputs["data"].has_default and inputs["data"].default is None
    assert model.outputs == {}
    single_model = interface_of(single).to_model()
    assert single_model.inputs["x"] == Parameter(type=LiteralType("int"))
    assert single_model.outputs == {"o0": LiteralType("str")}


def test_to_model_refuses_a_default_of_the_wrong_type() -> None:
    def wrong(x: int = "three") -> None:  # type: ignore[assignment]
        pass

    with pytest.raises(TypeAnnotationError, match="parameter 'x': default 'three' does not match"):
        interface_of(wrong).to_model()


def test_describe_uses_module_alias_names(tmp_path: Path) -> None:
    interface_of(pair)
    assert describe(Features) == "Features"
    assert describe(list[Features]) == "list[Features]"
    assert describe(int) == "int"
    assert describe(dict[str, list[int] | None]) == "dict[str, list[int] | None]"
    assert describe(File) == "File"
    assert describe(Opts) == "Opts"
