"""Decides which arm of a conditional runs, from the values its conditions compare.

Conditions compare small values (numbers, strings, booleans, None); they are evaluated by
the engine itself when the branch node's inputs are ready, without starting a worker.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from updraft.model import (
    Binding,
    BoolOp,
    BranchCase,
    Comparison,
    Condition,
    InputRef,
    Literal,
    OutputRef,
    Scalar,
    UnionValue,
    ValueBinding,
)

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class ConditionError(ValueError):
    """A condition cannot be decided: its values are not comparable that way."""


def _plain(literal: Literal) -> Any:
    while isinstance(literal, UnionValue):
        literal = literal.value
    if isinstance(literal, Scalar):
        return literal.value
    raise ConditionError(
        f"a condition compares a {type(literal).__name__.lower()} value; conditions compare "
        "numbers, strings, booleans and None only. Compute a boolean in a task and compare "
        "that instead."
    )


def describe(condition: Condition) -> str:
    """The condition as the user wrote it, roughly: ``x > 0.5 & y == 'a'``."""
    if isinstance(condition, Comparison):
        return f"{_side(condition.left)} {condition.op} {_side(condition.right)}"
    symbol = "&" if condition.op == "and" else "|"
    return f"({describe(condition.left)} {symbol} {describe(condition.right)})"


def _side(binding: Binding) -> str:
    if isinstance(binding, InputRef):
        return binding.name
    if isinstance(binding, OutputRef):
        return f"{binding.node}.{binding.output}"
    if isinstance(binding, ValueBinding) and isinstance(binding.value, Scalar):
        return repr(binding.value.value)
    return "<value>"


def holds(condition: Condition, resolve: Callable[[Binding], Literal]) -> bool:
    """Whether ``condition`` is true for the values ``resolve`` gives its bindings.

    Raises:
        ConditionError: the values cannot be compared with the condition's operator.
    """
    if isinstance(condition, BoolOp):
        if condition.op == "and":
            return holds(condition.left, resolve) and holds(condition.right, resolve)
        return holds(condition.left, resolve) or holds(condition.right, resolve)
    left = _plain(resolve(condition.left))
    right = _plain(resolve(condition.right))
    compare = _OPERATORS.get(condition.op)
    if compare is None:
        raise ConditionError(f"unknown comparison {condition.op!r} in {describe(condition)}")
    try:
        return bool(compare(left, right))
    except TypeError:
        raise ConditionError(
            f"cannot compare {left!r} {condition.op} {right!r} in {describe(condition)}: "
            f"{type(left).__name__} and {type(right).__name__} have no such order"
        ) from None


def choose(cases: tuple[BranchCase, ...], resolve: Callable[[Binding], Literal]) -> int | None:
    """The index of the first arm whose condition holds (the else arm's is None, so it
    holds), or None when no arm applies."""
    for index, case in enumerate(cases):
        if case.condition is None or holds(case.condition, resolve):
            return index
    return None
