"""What a workflow body sees in place of values while it is traced.

A `Promise` stands for an output that does not exist yet: it can be passed to other calls,
returned, compared (which builds a condition for `conditional`), ordered with ``>>`` and
given node overrides, but not inspected. Trying to branch on one explains why and what to use.

This module holds no tracing logic: every operation is forwarded to the tracer that made the
promise, so the same objects work in a workflow body and in a dynamic body.
"""

from __future__ import annotations

from typing import Any

from updraft.model import Binding, LiteralType


class Promise:
    """A future value in a workflow body: a node output or a workflow input."""

    __slots__ = ("annotation", "binding", "node_id", "origin", "tracer", "type")

    def __init__(
        self,
        binding: Binding,
        type: LiteralType,
        annotation: Any,
        origin: str,
        node_id: str | None,
        tracer: Any,
    ) -> None:
        self.binding = binding
        self.type = type
        self.annotation = annotation
        self.origin = origin
        self.node_id = node_id
        self.tracer = tracer

    def __bool__(self) -> bool:
        raise TypeError(
            f"{self.origin} is not known while the workflow is compiled, so it cannot be "
            "used in `if`, `and`, `or` or `not`. Move the decision into a task, or branch "
            'with `conditional("name").if_(...).then(...)`.'
        )

    def __iter__(self) -> Any:
        raise TypeError(
            f"{self.origin} is a single value of type {self.type.describe()}; it cannot be "
            "unpacked. Return a tuple from the task to get several outputs."
        )

    # Comparisons build conditions for `conditional`; they never return a bool.
    def __eq__(self, other: object) -> Any:
        return self.tracer.compare("==", self, other)

    def __ne__(self, other: object) -> Any:
        return self.tracer.compare("!=", self, other)

    def __lt__(self, other: object) -> Any:
        return self.tracer.compare("<", self, other)

    def __le__(self, other: object) -> Any:
        return self.tracer.compare("<=", self, other)

    def __gt__(self, other: object) -> Any:
        return self.tracer.compare(">", self, other)

    def __ge__(self, other: object) -> Any:
        return self.tracer.compare(">=", self, other)

    __hash__ = object.__hash__

    def is_true(self) -> Any:
        """The condition ``self == True``, for a boolean output in `conditional`."""
        return self.tracer.compare("==", self, True)

    def is_false(self) -> Any:
        """The condition ``self == False``, for a boolean output in `conditional`."""
        return self.tracer.compare("==", self, False)

    def __rshift__(self, other: Any) -> Any:
        """``a >> b``: run b's node after a's even though b does not read a's output."""
        return self.tracer.order(self, other)

    def with_overrides(self, **overrides: Any) -> Promise:
        """Change the node that produced this value, for this call only.

        Args:
            name: the node's name in the console and in messages.
            requests: `updraft.Resources` the node needs to start.
            limits: `updraft.Resources` the node may use (enforced).
            retries: how many more attempts a failure gets.
            timeout: seconds (or a timedelta) after which an attempt is killed.
            cache: reuse outputs for equal inputs, or not.
            cache_version: the cache version (the task's source when cache=True and unset).

        Returns:
            This promise, so calls chain: ``train(x=x).with_overrides(retries=3)``. Any one
            output of a multi-output call changes the whole node.

        Raises:
            CompileError: an unknown option, a value of the wrong kind, or resources, retries,
                timeouts or caching on a node that is not a task or map call.
        """
        self.tracer.override(self, overrides)
        return self

    def __repr__(self) -> str:
        return f"<Promise {self.origin}: {self.type.describe()}>"


class NodeHandle:
    """What a call without outputs returns in a body: good for ``>>`` and overrides."""

    __slots__ = ("node_id", "tracer")

    def __init__(self, node_id: str, tracer: Any) -> None:
        self.node_id = node_id
        self.tracer = tracer

    def __rshift__(self, other: Any) -> Any:
        """``a >> b``: run b's node after this one."""
        return self.tracer.order(self, other)

    def with_overrides(self, **overrides: Any) -> NodeHandle:
        """Change this node for this call only; see `Promise.with_overrides`."""
        self.tracer.override(self, overrides)
        return self

    def __repr__(self) -> str:
        return f"<node {self.node_id}>"


class _TupleHandle:
    """Mixed into the tuples a multi-output call returns, so the call as a whole can be
    ordered and overridden: ``train(x=x).with_overrides(retries=2)``."""

    def with_overrides(self, **overrides: Any) -> Any:
        """Change the node of these outputs for this call only; see `Promise.with_overrides`."""
        first: Promise = self[0]  # type: ignore[index]
        first.tracer.override(first, overrides)
        return self

    def __rshift__(self, other: Any) -> Any:
        """``a >> b``: run b's node after this call's node."""
        first: Promise = self[0]  # type: ignore[index]
        return first.tracer.order(first, other)


class PromiseTuple(_TupleHandle, tuple):  # type: ignore[type-arg]
    """The outputs of a call that returns a plain tuple."""


_handled: dict[type, type] = {}


def with_handle(outputs: Any) -> Any:
    """``outputs`` made orderable and overridable as a whole when it is a tuple of promises
    (a NamedTuple keeps its class, as a subclass of it)."""
    if not isinstance(outputs, tuple) or not outputs or not isinstance(outputs[0], Promise):
        return outputs
    cls = type(outputs)
    if cls is tuple:
        return PromiseTuple(outputs)
    handled = _handled.get(cls)
    if handled is None:
        handled = type(cls.__name__, (cls, _TupleHandle), {"__module__": cls.__module__})
        _handled[cls] = handled
    return handled(*outputs)


def node_of(value: Any) -> str | None:
    """The id of the node that produced ``value`` (a promise, a node handle, the outputs of
    one call or a branch), or None when it is not the result of a call."""
    if isinstance(value, Promise | NodeHandle):
        return value.node_id
    if isinstance(value, tuple) and value and isinstance(value[0], Promise):
        ids = {v.node_id for v in value if isinstance(v, Promise)}
        return value[0].node_id if len(ids) == 1 else None
    node_id = getattr(value, "branch_node_id", None)
    return node_id if isinstance(node_id, str) else None
