"""Parsing a workflow's inputs from the command line: ``--name value`` after FILE NAME.

Inputs come after the workflow's name so that an input called ``json`` or ``help`` never
clashes with an option of ``updraft run``.
"""

from __future__ import annotations

from typing import Any

import click

from updraft.types import TypeConversionError, describe, parse_text


class InputError(click.UsageError):
    """A command-line input is unknown or does not parse as its declared type (exit 2)."""


def _canonical(token: str, names: dict[str, str]) -> str | None:
    return names.get(token.replace("-", "_"))


def parse_inputs(interface: Any, tokens: list[str], workflow: str) -> dict[str, Any]:
    """Python values for the ``--name value`` pairs in ``tokens``.

    A bool input also takes ``--name`` alone (true) or ``--no-name`` (false).

    Raises:
        InputError: naming the input, the expected type and what came.
    """
    names = {n.replace("-", "_"): n for n in interface.inputs}
    values: dict[str, Any] = {}
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.startswith("--"):
            raise InputError(
                f"unexpected argument {token!r}; give inputs as --name value "
                f"(inputs of {workflow}: {', '.join(interface.inputs) or 'none'})"
            )
        key, eq, inline = token[2:].partition("=")
        name = _canonical(key, names)
        negated = False
        if name is None and key.startswith("no-"):
            name = _canonical(key[3:], names)
            negated = name is not None
        if name is None:
            raise InputError(
                f"{workflow} has no input {key!r}; its inputs are: "
                f"{', '.join(interface.inputs) or 'none'} (see --help)"
            )
        info = interface.inputs[name]
        is_bool = info.literal_type.kind == "bool"
        if eq:
            text = inline
            i += 1
        elif is_bool and (i + 1 == len(tokens) or tokens[i + 1].startswith("--")):
            text = "false" if negated else "true"
            i += 1
        else:
            if i + 1 == len(tokens):
                raise InputError(f"input {name!r} needs a value: --{name} VALUE")
            text = tokens[i + 1]
            i += 2
        try:
            values[name] = parse_text(text, info.annotation)
        except TypeConversionError as exc:
            raise InputError(
                f"input {name!r} expects {describe(info.annotation)}, got {text!r}"
                + _hint(str(exc))
            ) from None
    missing = [
        n for n, info in interface.inputs.items() if n not in values and not info.has_default
    ]
    if missing:
        wanted = " ".join(
            f"--{n} {describe(interface.inputs[n].annotation).upper()}" for n in missing
        )
        raise InputError(
            f"{workflow} needs input(s) {', '.join(repr(n) for n in missing)}: pass {wanted}"
        )
    return values


def inputs_help(interface: Any, workflow: str, docstring: str) -> str:
    """The text of ``updraft run FILE NAME --help``: each input with type and default."""
    lines = [f"Usage: updraft run [OPTIONS] FILE {workflow.rsplit('.', 1)[-1]} [INPUTS]", ""]
    if docstring:
        lines += [docstring.strip(), ""]
    lines.append("Inputs:")
    if not interface.inputs:
        lines.append("  (none)")
    for name, info in interface.inputs.items():
        default = f"  [default: {info.default!r}]" if info.has_default else "  [required]"
        lines.append(f"  --{name} {describe(info.annotation)}{default}")
    return "\n".join(lines)


def _hint(message: str) -> str:
    """The advice part of a conversion error ("...; give JSON such as [1, 2]"), if any."""
    _, sep, advice = message.partition("; ")
    return f"; {advice}" if sep else ""
