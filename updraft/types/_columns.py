"""`Columns`: a data frame schema written next to the annotation, checked on both ends.

``Annotated[pd.DataFrame, Columns(age=int, bmi=float)]`` says the frame has at least these
columns with compatible types. The check reads the Arrow schema, which pandas frames are
converted to anyway on their way to Parquet, so one rule serves pandas and pyarrow alike.
A frame may have more columns than declared. An int column satisfies a float one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from updraft.types._errors import TypeAnnotationError, TypeConversionError

#: Python types a column may be declared as, and the name used in `LiteralType.columns`.
COLUMN_TYPES: dict[object, str] = {
    int: "int",
    float: "float",
    str: "str",
    bool: "bool",
    bytes: "bytes",
    dt.datetime: "datetime",
    dt.date: "date",
    dt.timedelta: "timedelta",
    object: "any",
}
_NAMES = frozenset(COLUMN_TYPES.values())


class Columns:
    """The columns a data frame must have, with their types.

    Args:
        **columns: column name to type: ``int``, ``float``, ``str``, ``bool``, ``bytes``,
            ``datetime``, ``date``, ``timedelta``, or ``object`` for any type; the names
            ``"int"``, ``"float"``, ... are accepted too.

    Raises:
        TypeAnnotationError: for a type not in that list.

    Example::

        Features = Annotated[pd.DataFrame, Columns(age=int, bmi=float)]
    """

    __slots__ = ("columns",)

    def __init__(self, **columns: object) -> None:
        resolved: list[tuple[str, str]] = []
        for name, tp in columns.items():
            kind = tp if isinstance(tp, str) and tp in _NAMES else _lookup(tp)
            if kind is None:
                raise TypeAnnotationError(
                    f"Columns({name}={getattr(tp, '__name__', tp)!s}): unsupported column type; "
                    "use int, float, str, bool, bytes, datetime, date, timedelta or object"
                )
            resolved.append((name, kind))
        self.columns: tuple[tuple[str, str], ...] = tuple(resolved)

    def __repr__(self) -> str:
        return "Columns(" + ", ".join(f"{n}={k}" for n, k in self.columns) + ")"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Columns) and other.columns == self.columns

    def __hash__(self) -> int:
        return hash(self.columns)


def _lookup(tp: object) -> str | None:
    try:
        return COLUMN_TYPES.get(tp)
    except TypeError:
        return None


def column_assignable(source: str, target: str) -> bool:
    """Whether a column declared ``source`` satisfies one declared ``target``."""
    return source == target or target == "any" or (source == "int" and target == "float")


def arrow_fits(kind: str, arrow_type: Any) -> bool:
    """Whether an Arrow column type satisfies a declared column type name."""
    import pyarrow as pa

    t = pa.types
    if pa.types.is_dictionary(arrow_type):
        arrow_type = arrow_type.value_type
    checks = {
        "int": t.is_integer,
        "float": lambda x: t.is_floating(x) or t.is_integer(x) or t.is_decimal(x),
        "str": lambda x: t.is_string(x) or t.is_large_string(x) or _is_string_view(x),
        "bool": t.is_boolean,
        "bytes": lambda x: t.is_binary(x) or t.is_large_binary(x) or t.is_fixed_size_binary(x),
        "datetime": t.is_timestamp,
        "date": t.is_date,
        "timedelta": t.is_duration,
    }
    check = checks.get(kind)
    return True if check is None else bool(check(arrow_type))


def _is_string_view(arrow_type: Any) -> bool:
    import pyarrow as pa

    is_view = getattr(pa.types, "is_string_view", None)
    return bool(is_view(arrow_type)) if is_view is not None else False


def check_columns(
    columns: tuple[tuple[str, str], ...],
    schema: Any,
    what: str,
    shown_dtypes: dict[str, str] | None = None,
) -> None:
    """Raise `TypeConversionError` naming the first declared column that is missing or has
    an incompatible type in the Arrow ``schema``.

    Args:
        columns: the declared (name, type name) pairs.
        schema: the frame's `pyarrow.Schema`.
        what: the frame's type for the message, e.g. ``Features``.
        shown_dtypes: the dtypes to show per column (pandas dtypes for a pandas frame).
    """
    names = list(schema.names)
    for name, kind in columns:
        if name not in names:
            have = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
            raise TypeConversionError(
                f"{what}: missing column {name!r} (expected {kind}); the frame has columns: "
                f"{have or 'none'}"
            )
        arrow_type = schema.field(name).type
        if not arrow_fits(kind, arrow_type):
            actual = (shown_dtypes or {}).get(name) or str(arrow_type)
            raise TypeConversionError(
                f"{what}: column {name!r} has dtype {actual}, expected {kind}; convert it "
                f"(e.g. df[{name!r}].astype(...)) or change the Columns declaration"
            )
