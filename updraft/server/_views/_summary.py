"""Inputs at a glance: ``seed=8, ratio=0.33, data=pima.csv`` for a row of the executions list.

Short on purpose: each value is cut, lists and dicts show their size, blobs their file name,
and the whole text is cut to fit one table cell. The execution page shows the full values.
"""

from __future__ import annotations

import msgspec

from updraft.model import Blob, Collection, Literal, Map, Scalar, UnionValue
from updraft.server._views._values import original_name

#: The longest summary, and the longest one value in it.
SUMMARY_LIMIT = 80
VALUE_LIMIT = 24


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_value(literal: Literal) -> str:
    """One value in a few characters."""
    if isinstance(literal, Scalar):
        return _cut(msgspec.json.encode(literal.value).decode(), VALUE_LIMIT)
    if isinstance(literal, Blob):
        name = original_name(literal.uri) or literal.kind
        return _cut(name, VALUE_LIMIT)
    if isinstance(literal, Collection):
        count = len(literal.items)
        return f"[{count} item{'' if count == 1 else 's'}]"
    if isinstance(literal, Map):
        count = len(literal.items)
        return f"{{{count} key{'' if count == 1 else 's'}}}"
    assert isinstance(literal, UnionValue)
    return short_value(literal.value)


def inputs_summary(inputs: dict[str, Literal], limit: int = SUMMARY_LIMIT) -> str:
    """``name=value, ...`` in the execution's input order, cut to ``limit`` characters."""
    return _cut(", ".join(f"{k}={short_value(v)}" for k, v in inputs.items()), limit)
