"""What a workflow body sees in place of values while it is traced.

A `Promise` stands for an output that does not exist yet: it can be passed to other tasks
and returned, but not inspected. Trying to branch on one explains why and what to use.
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
            "with `conditional` when it is available."
        )

    def __iter__(self) -> Any:
        raise TypeError(
            f"{self.origin} is a single value of type {self.type.describe()}; it cannot be "
            "unpacked. Return a tuple from the task to get several outputs."
        )

    def __rshift__(self, other: Any) -> Any:
        """``a >> b``: run b's node after a's even though b does not read a's output."""
        target = getattr(other, "node_id", None)
        if self.node_id and target:
            self.tracer.add_order(self.node_id, target)
        return other

    def __repr__(self) -> str:
        return f"<Promise {self.origin}: {self.type.describe()}>"
