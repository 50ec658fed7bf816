"""Inputs of a registered workflow from the command line, as plain JSON for the API.

``updraft launch NAME --seed 8`` knows the workflow only by its registered interface (the
`LiteralType` of each input), not by its Python annotations, so text is parsed by type
kind: numbers, booleans and strings as themselves, lists, dicts and structs as JSON, files,
directories and data frames as a path (made absolute, since the server does not know the
caller's working directory) or a URL. The server checks the values again; parsing here first
lets a mistake name the input and its type before anything is sent.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import os
from collections.abc import Callable, Mapping, Sequence

from updraft.cli._inputs import InputError
from updraft.model import Literal, LiteralType, Parameter

_TRUE = frozenset({"true", "1", "yes", "y", "on"})
_FALSE = frozenset({"false", "0", "no", "n", "off"})
_BLOBS = frozenset({"file", "directory", "dataframe"})

_HINTS = {
    "int": "a whole number such as 3",
    "float": "a number such as 0.5",
    "bool": "true or false (also 1/0, yes/no)",
    "datetime": "an ISO date-time such as 2024-05-01T12:30:00",
    "date": "an ISO date such as 2024-05-01",
    "timedelta": "a number of seconds such as 90",
    "none": "none",
    "list": "a JSON array such as [1, 2]",
    "dict": 'a JSON object such as {"a": 1}',
    "struct": "a JSON object of its fields",
    "file": "a path or URL of a file",
    "directory": "a path or URL of a folder",
    "dataframe": "a path or URL of a Parquet file",
}


class _Mismatch(ValueError):
    """A value does not fit its type; the message says where and what was expected."""


def _hint(lt: LiteralType) -> str:
    if lt.kind == "enum":
        return f"one of {', '.join(lt.values)}"
    return _HINTS.get(lt.kind, lt.describe())


def _is_url(text: str) -> bool:
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.isalnum() and scheme.lower() != "file"


def _location(text: str) -> str:
    """A blob input's location: a URL as given, a local path made absolute."""
    if _is_url(text):
        return text
    path = text[len("file://"):] if text.startswith("file://") else text
    return os.path.abspath(os.path.expanduser(path))


def text_to_json(text: str, lt: LiteralType) -> object:
    """Parse one command-line value as type ``lt``; the JSON value the API takes.

    Raises:
        ValueError: the text does not parse; the message says what was expected.

    Example:
        >>> text_to_json("[1, 2]", LiteralType("list", args=(LiteralType("int"),)))
        [1, 2]
    """
    kind = lt.kind
    word = text.strip()
    if kind == "str":
        return text
    if kind == "int":
        try:
            return int(word)
        except ValueError:
            raise _Mismatch(f"give {_hint(lt)}") from None
    if kind == "float":
        try:
            number = float(word)
        except ValueError:
            raise _Mismatch(f"give {_hint(lt)}") from None
        if math.isfinite(number):
            return number
        return "nan" if number != number else ("inf" if number > 0 else "-inf")
    if kind == "bool":
        if word.lower() in _TRUE:
            return True
        if word.lower() in _FALSE:
            return False
        raise _Mismatch(f"give {_hint(lt)}")
    if kind == "bytes":
        return base64.b64encode(text.encode("utf-8")).decode("ascii")
    if kind == "timedelta":
        try:
            return float(word)
        except ValueError:
            raise _Mismatch(f"give {_hint(lt)}") from None
    if kind == "none":
        if word.lower() in ("none", "null"):
            return None
        raise _Mismatch("give none")
    if kind in _BLOBS:
        if not word:
            raise _Mismatch(f"give {_hint(lt)}")
        return _location(word)
    if kind == "pickle":
        raise _Mismatch(
            "a pickled value cannot be given on the command line; give the input a default "
            "in the workflow or pass it from a task"
        )
    if kind == "union":
        return _union_text(text, lt)
    if kind in ("datetime", "date", "enum"):
        return json_for_type(word, lt)
    try:
        value = json.loads(text)
    except ValueError:
        raise _Mismatch(f"give JSON: {_hint(lt)}") from None
    return json_for_type(value, lt)


def _union_text(text: str, lt: LiteralType) -> object:
    if text.strip().lower() in ("none", "null") and any(a.kind == "none" for a in lt.args):
        return None
    problems = []
    for variant in lt.args:
        if variant.kind == "none":
            continue
        try:
            return text_to_json(text, variant)
        except ValueError as exc:
            problems.append(f"as {variant.describe()}: {exc}")
    raise _Mismatch("; ".join(problems))


def json_for_type(value: object, lt: LiteralType, where: str = "") -> object:
    """Check a JSON value against ``lt``: the value, with blob paths made absolute.

    Raises:
        ValueError: naming where inside the value (``at [2]``, ``at .depth``) it went wrong.
    """
    kind = lt.kind
    at = f" at {where}" if where else ""

    def wrong() -> _Mismatch:
        return _Mismatch(f"expected {lt.describe()}{at}, got {json.dumps(value)[:80]}; "
                         f"give {_hint(lt)}")

    if kind == "int":
        if type(value) is int:
            return value
        raise wrong()
    if kind in ("float", "timedelta"):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        if kind == "float" and value in ("nan", "inf", "-inf"):
            return value
        raise wrong()
    if kind in ("str", "bytes"):
        if isinstance(value, str):
            return value
        raise wrong()
    if kind == "bool":
        if type(value) is bool:
            return value
        raise wrong()
    if kind == "none":
        if value is None:
            return None
        raise wrong()
    if kind in ("datetime", "date"):
        parse = dt.datetime.fromisoformat if kind == "datetime" else dt.date.fromisoformat
        try:
            if isinstance(value, str):
                parse(value)
                return value
        except ValueError:
            pass
        raise wrong()
    if kind == "enum":
        if isinstance(value, str | int | float) and str(value) in lt.values:
            return value
        raise wrong()
    if kind in _BLOBS:
        if isinstance(value, dict) and isinstance(value.get("uri"), str):
            value = value["uri"]
        if isinstance(value, str) and value.strip():
            return _location(value.strip())
        raise wrong()
    if kind == "list":
        if not isinstance(value, list):
            raise wrong()
        return [json_for_type(v, lt.args[0], f"{where}[{i}]") for i, v in enumerate(value)]
    if kind == "dict":
        if not isinstance(value, dict):
            raise wrong()
        return {k: json_for_type(v, lt.args[0], f"{where}[{k!r}]") for k, v in value.items()}
    if kind == "struct":
        return _struct(value, lt, where, wrong)
    if kind == "union":
        for variant in lt.args:
            try:
                return json_for_type(value, variant, where)
            except ValueError:
                continue
        raise wrong()
    raise _Mismatch(f"inputs of type {lt.describe()} ({kind}) cannot be given as JSON")


def _struct(
    value: object, lt: LiteralType, where: str, wrong: Callable[[], _Mismatch]
) -> object:
    if not isinstance(value, dict):
        raise wrong()
    declared = dict(lt.fields)
    unknown = sorted(k for k in value if k not in declared)
    if unknown:
        raise _Mismatch(
            f"{lt.describe()}{' at ' + where if where else ''} has no field(s) "
            f"{', '.join(map(repr, unknown))}; its fields are {', '.join(declared) or 'none'}"
        )
    return {k: json_for_type(v, declared[k], f"{where}.{k}") for k, v in value.items()}


def parse_remote_inputs(
    params: Mapping[str, Parameter],
    tokens: Sequence[str],
    where: str,
    fixed: Mapping[str, Literal] | None = None,
) -> dict[str, object]:
    """JSON values for the ``--name value`` pairs in ``tokens``, by the interface ``params``.

    A bool input also takes ``--name`` alone (true) or ``--no-name`` (false); ``-`` and
    ``_`` are the same in names. Inputs the launch plan fixes cannot be given.

    Raises:
        InputError: an unknown or fixed input, a missing value, or a value that does not
            parse; the message names the input and the type it expects (exit 2).
    """
    names = {n.replace("-", "_"): n for n in params}
    listed = ", ".join(f"{n} ({p.type.describe()})" for n, p in params.items()) or "none"
    values: dict[str, object] = {}
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.startswith("--") or token == "--":
            raise InputError(
                f"unexpected argument {token!r}; give inputs as --name value "
                f"(inputs of {where}: {listed})"
            )
        key, eq, inline = token[2:].partition("=")
        name = names.get(key.replace("-", "_"))
        negated = False
        if name is None and key.startswith("no-"):
            name = names.get(key[3:].replace("-", "_"))
            negated = name is not None
        if name is None:
            raise InputError(f"{where} has no input {key!r}; its inputs are: {listed}")
        if fixed and name in fixed:
            raise InputError(
                f"input {name!r} is fixed by {where} and cannot be given at launch; leave it out"
            )
        lt = params[name].type
        if eq:
            text, i = inline, i + 1
        elif lt.kind == "bool" and (i + 1 == len(tokens) or tokens[i + 1].startswith("--")):
            text, i = ("false" if negated else "true"), i + 1
        elif i + 1 == len(tokens):
            raise InputError(f"input {name!r} needs a value: --{name} {lt.describe().upper()}")
        else:
            text, i = tokens[i + 1], i + 2
        try:
            values[name] = text_to_json(text, lt)
        except ValueError as exc:
            raise InputError(
                f"input {name!r} expects {lt.describe()}, got {text!r}: {exc}"
            ) from None
    return values


def remote_inputs_help(
    params: Mapping[str, Parameter], usage: str, docstring: str,
    defaults: Mapping[str, Literal] | None = None, fixed: Mapping[str, Literal] | None = None,
) -> str:
    """The text of ``updraft launch NAME --help``: each input with its type and default."""
    lines = [usage, ""]
    if docstring:
        lines += [docstring.strip(), ""]
    lines.append("Inputs:")
    shown = 0
    for name, param in params.items():
        if fixed and name in fixed:
            continue
        default = (defaults or {}).get(name) or (param.default if param.has_default else None)
        suffix = f"  [default: {_literal_json(default)}]" if default is not None else (
            "  [default: None]" if param.has_default else "  [required]")
        lines.append(f"  --{name} {param.type.describe()}{suffix}")
        shown += 1
    if not shown:
        lines.append("  (none)")
    if fixed:
        lines.append("Fixed by the launch plan: " + ", ".join(sorted(fixed)))
    return "\n".join(lines)


def _literal_json(literal: Literal) -> str:
    from updraft.cli._render import literal_text

    return literal_text(literal)
