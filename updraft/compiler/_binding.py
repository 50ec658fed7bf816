"""Turning what a body passes to a call into a checked `Binding`.

A promise becomes its reference, a collection of promises a list or map binding, and a
constant a literal converted now. In a workflow body there is no blob store, so constants
that would need one (files, frames, pickles) are refused with a hint; a dynamic body, which
runs at execution time with real values, hands its blob store in instead.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

from updraft.compiler._errors import CompileError
from updraft.compiler._promise import NodeHandle, Promise
from updraft.model import Binding, BlobIO, ListBinding, LiteralType, MapBinding, ValueBinding
from updraft.types import NoBlobStore, TypeConversionError, describe, is_assignable, to_literal

NO_BLOBS: BlobIO = NoBlobStore(
    "values stored as blobs (files, frames, pickles) cannot be written as constants "
    "in a workflow body; make it an input of the workflow with a default instead"
)
"""Blob I/O for constants in a workflow body: there is none at compile time. Its refusal is
a `TypeConversionError`, so it reads like any other constant that does not convert."""

Fail = Callable[[str], CompileError]


def contains_promise(value: Any) -> bool:
    """Whether ``value`` is a promise or a list, tuple or dict holding one at any depth."""
    if isinstance(value, Promise):
        return True
    if isinstance(value, list | tuple):
        return any(contains_promise(v) for v in value)
    if isinstance(value, dict):
        return any(contains_promise(v) for v in value.values())
    return False


def bind_value(
    value: Any,
    annotation: Any,
    expected: LiteralType,
    fail: Fail,
    blobs: BlobIO = NO_BLOBS,
    prefix: str = "",
) -> Binding:
    """The binding for ``value`` where ``annotation`` is expected: a promise's reference, a
    collection of references, or a constant converted now (blobs written to ``blobs`` under
    ``prefix``; refused in a workflow body).

    Raises:
        CompileError: made by ``fail`` from a message saying what was expected and what came.
    """
    return _bind(value, annotation, expected, fail, blobs, prefix, item=False)


def _bind(
    value: Any,
    annotation: Any,
    expected: LiteralType,
    fail: Fail,
    blobs: BlobIO,
    prefix: str,
    *,
    item: bool,
) -> Binding:
    """`bind_value` for a whole argument (``item=False``) or for one item of a collection
    of promises (``item=True``), whose messages speak of the items' type instead."""
    if isinstance(value, NodeHandle):
        verb = "holds" if item else "receives"
        raise fail(f"{verb} the result of a call that returns nothing")
    if isinstance(value, Promise):
        if not is_assignable(value.type, expected):
            if item:
                raise fail(
                    f"expects items of type {expected.describe()}, got "
                    f"{value.type.describe()} ({value.origin})"
                )
            raise fail(
                f"expects {describe(annotation)}, got {value.type.describe()} "
                f"({value.origin}). Pass a value of type {describe(annotation)}, or change the "
                "annotation."
            )
        return value.binding
    if contains_promise(value):
        return _bind_container(value, annotation, expected, fail, blobs, prefix)
    try:
        return ValueBinding(to_literal(value, annotation, blobs, prefix))
    except TypeConversionError as exc:
        wanted = f"items of type {expected.describe()}" if item else describe(annotation)
        raise fail(f"expects {wanted}, got {type(value).__name__} {value!r}: {exc}") from None


def _item_annotation(annotation: Any) -> Any:
    """``T`` of ``list[T]`` or ``dict[str, T]`` (through ``Annotated``)."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    args = typing.get_args(annotation)
    return args[-1] if args else Any


def _bind_container(
    value: Any, annotation: Any, expected: LiteralType, fail: Fail, blobs: BlobIO, prefix: str
) -> Binding:
    item = _item_annotation(annotation)
    if isinstance(value, list | tuple) and expected.kind == "list":
        return ListBinding(
            tuple(_bind(v, item, expected.args[0], fail, blobs, prefix, item=True) for v in value)
        )
    if isinstance(value, dict) and expected.kind == "dict":
        return MapBinding(
            {
                k: _bind(v, item, expected.args[0], fail, blobs, prefix, item=True)
                for k, v in value.items()
            }
        )
    raise fail(f"expects {expected.describe()}, got a {type(value).__name__} of promises")
