"""Conditions over workflow values: ``x > 0.5``, ``(a == b) & (c != "x")``, ``p | q``.

Comparing a promise builds a `ConditionExpr` holding the model's `Comparison`; ``&`` and
``|`` combine them into `BoolOp`s. Operand types are checked here, so a comparison that could
never be evaluated (a list against a number, ``<`` on booleans) fails where it is written.
Evaluating conditions is the engine's job, not this module's.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable
from typing import Any

from updraft.compiler._errors import CompileError
from updraft.compiler._promise import NodeHandle, Promise
from updraft.model import (
    COMPARISONS,
    Binding,
    BlobIO,
    BoolOp,
    Comparison,
    Condition,
    LiteralType,
    OutputRef,
    Scalar,
    ValueBinding,
    condition_refs,
)
from updraft.types import TypeConversionError, to_literal, to_literal_type

_NUMBERS = frozenset({"int", "float"})
#: Kinds that ``<``, ``<=``, ``>`` and ``>=`` accept.
_ORDERED = _NUMBERS | {"str", "datetime", "date", "timedelta"}
#: Kinds that ``==`` and ``!=`` accept.
_EQUATABLE = _ORDERED | {"bool", "none", "enum"}
_CONSTANT_TYPES = (int, float, str, bool, datetime.datetime, datetime.date,
                   datetime.timedelta, enum.Enum, type(None))


class ConditionExpr:
    """A condition built in a body; pass it to ``conditional(...).if_()`` or ``.elif_()``.

    Attributes:
        condition: the model's `Comparison` or `BoolOp`.
        text: how it was written, for messages (``x > 0.5``).
    """

    __slots__ = ("condition", "text")

    def __init__(self, condition: Condition, text: str) -> None:
        self.condition = condition
        self.text = text

    def __and__(self, other: object) -> ConditionExpr:
        return ConditionExpr(BoolOp("and", self.condition, _operand("&", other)),
                             f"({self.text}) & ({_text(other)})")

    def __rand__(self, other: object) -> ConditionExpr:
        return ConditionExpr(BoolOp("and", _operand("&", other), self.condition),
                             f"({_text(other)}) & ({self.text})")

    def __or__(self, other: object) -> ConditionExpr:
        return ConditionExpr(BoolOp("or", self.condition, _operand("|", other)),
                             f"({self.text}) | ({_text(other)})")

    def __ror__(self, other: object) -> ConditionExpr:
        return ConditionExpr(BoolOp("or", _operand("|", other), self.condition),
                             f"({_text(other)}) | ({self.text})")

    def __bool__(self) -> bool:
        raise TypeError(
            f"the condition `{self.text}` is over workflow values, which are not known while "
            "the workflow is compiled, so it cannot be used in `if`, `and`, `or`, `not` or a "
            'chained comparison. Branch with `conditional("name").if_(cond).then(...)`, and '
            "combine conditions with & and | (each side in parentheses)."
        )

    def refs(self) -> list[OutputRef]:
        """Every node output the condition reads."""
        return condition_refs(self.condition)

    def __repr__(self) -> str:
        return f"<condition {self.text}>"


def constant(value: bool) -> ConditionExpr:
    """A condition already decided: a comparison of real values in a dynamic body."""
    return ConditionExpr(
        Comparison("==", ValueBinding(Scalar(value)), ValueBinding(Scalar(True))), repr(value)
    )


def _operand(symbol: str, other: object) -> Condition:
    if isinstance(other, ConditionExpr):
        return other.condition
    if isinstance(other, bool):
        return constant(other).condition
    raise TypeError(
        f"`{symbol}` combines conditions such as (x > 1) {symbol} (y == 'a'); got "
        f"{type(other).__name__} {other!r}. Put each comparison in parentheses."
    )


def _text(value: object) -> str:
    if isinstance(value, ConditionExpr):
        return value.text
    if isinstance(value, Promise):
        return value.origin
    return repr(value)


Fail = Callable[[str], CompileError]


def compare(
    op: str, left: Promise, right: object, fail: Fail, blobs: BlobIO, prefix: str
) -> ConditionExpr:
    """The condition ``left op right``, with both sides' types checked.

    Raises:
        CompileError: made by ``fail`` when the operands cannot be compared with ``op``.
    """
    if op not in COMPARISONS:
        raise ValueError(f"unknown comparison {op!r}")
    text = f"{left.origin} {op} {_text(right)}"
    if isinstance(right, NodeHandle):
        raise fail(f"`{text}`: the right side is a call that returns nothing")
    right_type, right_binding = _right_side(right, text, fail, blobs, prefix)
    _check_types(op, left.type, right_type, text, fail)
    return ConditionExpr(Comparison(op, left.binding, right_binding), text)


def _right_side(
    right: object, text: str, fail: Fail, blobs: BlobIO, prefix: str
) -> tuple[LiteralType, Binding]:
    if isinstance(right, Promise):
        return right.type, right.binding
    if not isinstance(right, _CONSTANT_TYPES):
        raise fail(
            f"`{text}`: conditions compare numbers, text, booleans, dates, enums and None; "
            f"got {type(right).__name__}. Compute what you need in a task and compare its "
            "output."
        )
    annotation = type(right)
    try:
        return to_literal_type(annotation), ValueBinding(
            to_literal(right, annotation, blobs, prefix)
        )
    except TypeConversionError as exc:
        raise fail(f"`{text}`: the constant {right!r} cannot be used: {exc}") from None


def _variants(lt: LiteralType) -> list[LiteralType]:
    """The possible kinds of a value: an Optional's variants, else the type itself."""
    if lt.kind == "union":
        return [v for a in lt.args for v in _variants(a)]
    return [lt]


def _check_types(
    op: str, left: LiteralType, right: LiteralType, text: str, fail: Fail
) -> None:
    allowed = _ORDERED if op in ("<", "<=", ">", ">=") else _EQUATABLE
    for side, lt in (("left", left), ("right", right)):
        kinds = {v.kind for v in _variants(lt)} - ({"none"} if op in ("==", "!=") else set())
        bad = kinds - allowed
        if bad:
            what = "ordered (<, <=, >, >=)" if allowed is _ORDERED else "compared"
            raise fail(
                f"`{text}`: the {side} side is {lt.describe()}, which cannot be {what} in a "
                "condition. Conditions compare numbers, text, dates"
                + (", booleans, enums and None" if allowed is _EQUATABLE else "")
                + "; compute what you need in a task and compare its output."
            )
    if not _compatible(left, right):
        raise fail(
            f"`{text}` compares {left.describe()} with {right.describe()}, which never "
            "match; compare values of the same type"
        )


def _compatible(left: LiteralType, right: LiteralType) -> bool:
    for a in _variants(left):
        for b in _variants(right):
            if a.kind == "none" or b.kind == "none":
                return True
            if a.kind in _NUMBERS and b.kind in _NUMBERS:
                return True
            if a.kind == b.kind and (a.kind != "enum" or a.name == b.name or not b.name):
                return True
            if {a.kind, b.kind} == {"enum", "str"}:
                return True
    return False


def as_condition(value: Any, fail: Fail) -> ConditionExpr:
    """What ``if_``/``elif_`` accept: a condition, a boolean promise (``if_(flag)``), or a
    plain bool (a comparison of real values in a dynamic body), kept as a decided
    condition so that the branch node looks the same either way."""
    if isinstance(value, ConditionExpr):
        return value
    if isinstance(value, Promise):
        kinds = {v.kind for v in _variants(value.type)}
        if kinds <= {"bool", "none"} and "bool" in kinds:
            result: ConditionExpr = value.is_true()
            return result
        raise fail(
            f"takes a condition such as `x > 0.5`; {value.origin} is "
            f"{value.type.describe()}, not a bool"
        )
    if isinstance(value, bool):
        return constant(value)
    raise fail(
        f"takes a condition such as `x > 0.5` or `(a == b) & (c < 1)`; got "
        f"{type(value).__name__} {value!r}"
    )
