"""Whether an output of one type may feed an input of another, for the compiler's checks.

The rules are those of the converters: what one writes, the other can read. An int feeds a
float; a value feeds a union that has a variant for it; a frame with declared columns feeds
one that declares a subset of them (or none), and pandas and pyarrow frames feed each other.
A frame without declared columns feeds one with columns: the schema is then checked when
the data arrives. Pickles, enums and structs match by class name.
"""

from __future__ import annotations

import functools

from updraft.model import LiteralType
from updraft.types._columns import column_assignable


@functools.lru_cache(maxsize=8192)
def is_assignable(source: LiteralType, target: LiteralType) -> bool:
    """Whether a value of type ``source`` may be passed where ``target`` is expected.

    Args:
        source: the type of the producing output (or constant).
        target: the type of the consuming input.

    Returns:
        True when every value of ``source`` converts to ``target`` without loss.

    Example::

        is_assignable(to_literal_type(int), to_literal_type(float | None))  # True
    """
    if source == target:
        return True
    if target.kind == "union":
        if source.kind == "union":
            return all(any(is_assignable(s, t) for t in target.args) for s in source.args)
        return any(is_assignable(source, t) for t in target.args)
    if source.kind == "union":
        return all(is_assignable(s, target) for s in source.args)
    if source.kind == "int" and target.kind == "float":
        return True
    if source.kind != target.kind:
        return False
    kind = source.kind
    if kind in ("list", "dict"):
        return is_assignable(source.args[0], target.args[0])
    if kind in ("enum", "pickle"):
        return source.name == target.name
    if kind == "struct":
        return source.name == target.name and _fields_assignable(source, target)
    if kind == "dataframe":
        return _columns_assignable(source, target)
    return True


def _fields_assignable(source: LiteralType, target: LiteralType) -> bool:
    fields = dict(source.fields)
    for name, field_type in target.fields:
        if name in fields and not is_assignable(fields[name], field_type):
            return False
    return True


def _columns_assignable(source: LiteralType, target: LiteralType) -> bool:
    if not target.columns or not source.columns:
        return True
    have = dict(source.columns)
    return all(
        name in have and column_assignable(have[name], kind) for name, kind in target.columns
    )
