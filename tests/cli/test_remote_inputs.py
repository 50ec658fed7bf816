"""Parsing ``--name value`` inputs by a registered interface (LiteralTypes only), as
``updraft launch`` does before sending them to the server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from updraft.cli._inputs import InputError
from updraft.cli._remote_inputs import parse_remote_inputs, text_to_json
from updraft.model import LiteralType, Parameter, Scalar

INT = LiteralType("int")
FLOAT = LiteralType("float")
STR = LiteralType("str")
BOOL = LiteralType("bool")
NONE = LiteralType("none")


def _params(**types: LiteralType) -> dict[str, Parameter]:
    return {name: Parameter(type=lt) for name, lt in types.items()}


@pytest.mark.parametrize(
    ("text", "lt", "expected"),
    [
        ("3", INT, 3),
        ("0.25", FLOAT, 0.25),
        ("2", FLOAT, 2.0),
        ("inf", FLOAT, "inf"),
        ("a b", STR, "a b"),
        ("Yes", BOOL, True),
        ("0", BOOL, False),
        ("[1, 2]", LiteralType("list", args=(INT,)), [1, 2]),
        ('{"a": 0.5}', LiteralType("dict", args=(FLOAT,)), {"a": 0.5}),
        ('{"depth": 3}', LiteralType("struct", name="m.Params", fields=(("depth", INT),)),
         {"depth": 3}),
        ("red", LiteralType("enum", values=("red", "blue")), "red"),
        ("none", LiteralType("union", args=(INT, NONE)), None),
        ("4", LiteralType("union", args=(INT, NONE)), 4),
        ("2024-05-01", LiteralType("date"), "2024-05-01"),
        ("90", LiteralType("timedelta"), 90.0),
        ("hi", LiteralType("bytes"), "aGk="),
        ("s3://bucket/data.csv", LiteralType("file"), "s3://bucket/data.csv"),
    ],
)
def test_text_becomes_the_json_the_api_takes(text: str, lt: LiteralType, expected: object) -> None:
    assert text_to_json(text, lt) == expected


def test_local_paths_are_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert text_to_json("data/x.csv", LiteralType("file")) == str(tmp_path / "data" / "x.csv")
    nested = LiteralType("list", args=(LiteralType("directory"),))
    assert text_to_json('["a", "/b"]', nested) == [os.path.join(tmp_path, "a"), "/b"]


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (["--n", "x"], "input 'n' expects int, got 'x': give a whole number such as 3"),
        (["--xs", "1,2"], "input 'xs' expects list[int], got '1,2': give JSON"),
        (["--xs", "[1, 2.5]"], "expected int at [1], got 2.5"),
        (["--flag", "maybe"], "input 'flag' expects bool"),
        (["--m", "1"], "has no input 'm'; its inputs are: n (int), xs (list[int]), flag"),
        (["--n"], "input 'n' needs a value"),
        (["3"], "unexpected argument '3'"),
        (["--fixed", "1"], "input 'fixed' is fixed by launch plan 'p'"),
    ],
)
def test_wrong_inputs_name_the_input_and_type(tokens: list[str], expected: str) -> None:
    params = _params(n=INT, xs=LiteralType("list", args=(INT,)), flag=BOOL, fixed=INT)
    with pytest.raises(InputError) as caught:
        parse_remote_inputs(params, tokens, "launch plan 'p'", {"fixed": Scalar(1)})
    assert expected in caught.value.message


def test_names_flags_and_inline_values() -> None:
    params = _params(max_depth=INT, verbose=BOOL, dry_run=BOOL, label=STR)
    values = parse_remote_inputs(
        params, ["--max-depth=4", "--verbose", "--no-dry-run", "--label", "--x"], "p"
    )
    assert values == {"max_depth": 4, "verbose": True, "dry_run": False, "label": "--x"}
