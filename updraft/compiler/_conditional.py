"""`conditional`: pick one of several calls by conditions over workflow values.

    result = (
        conditional("size")
        .if_(n > 100).then(big(n=n))
        .elif_(n > 10).then(medium(n=n))
        .else_().then(small(n=n))
    )

The whole conditional is one ``branch`` node. Each arm takes exactly one call (a task, map,
workflow or launch plan call), made inside ``then(...)``: while an arm is open the tracer
gives the next call the arm's id (``n3-0``, ``n3-1``, ...) and keeps it out of the body's
nodes. The arms must produce the same outputs, which the branch node then produces; a
conditional without ``else_`` may not produce any, since no arm might run. An arm may also
fail the execution with a message (``.else_().fail("...")``).

Deciding which arm runs is the engine's job; this module only records the arms.
"""

from __future__ import annotations

from typing import Any

from updraft.compiler._condition import ConditionExpr, as_condition
from updraft.compiler._errors import CompileError
from updraft.compiler._nodes import NO_OUTPUTS, NodeOutputs, TracedNode, location_of, user_frame
from updraft.compiler._promise import node_of
from updraft.compiler._tracer import WorkflowTracer
from updraft.model import BranchCase, SourceLocation
from updraft.sdk import active_tracer


class _Section:
    """The state of one conditional while its arms are written."""

    def __init__(self, tracer: WorkflowTracer, name: str, location: SourceLocation | None):
        self.tracer = tracer
        self.name = name
        self.location = location
        self.node: TracedNode | None = None
        self.outputs: NodeOutputs | None = None
        self.first_with_outputs = ""
        self.labels: list[str] = []
        self.condition: ConditionExpr | None = None
        self.open = False
        self.has_else = False
        tracer.at_finish(self.check_complete)

    def error(self, message: str, location: SourceLocation | None = None) -> CompileError:
        node_id = f" ({self.node.id})" if self.node is not None else ""
        return self.tracer.error(
            f"conditional {self.name!r}{node_id}: {message}", location=location or self.location
        )

    def open_arm(self, label: str, condition: Any) -> None:
        location = location_of(user_frame())
        if self.open:  # before in_arm: this conditional's own open arm is the likelier slip
            raise self.error(f"{label} follows an arm that has no then(...) or fail(...)",
                             location)
        if self.tracer.in_arm:
            raise self.error(
                f"{label} is written inside an arm of another conditional; an arm takes a "
                "single task, map or workflow call. Move the inner decision into a workflow "
                "and call that in the arm",
                location,
            )
        if self.has_else:
            raise self.error(f"{label} comes after else_(); else_() must be the last arm",
                             location)
        expr = None
        if label != "else_()":

            def fail(message: str) -> CompileError:
                return self.error(f"{label} {message}", location)

            expr = as_condition(condition, fail)
        if self.node is None:
            self.node = self.tracer.new_node(self.name, "branch", self.location)
            self.tracer.add_node(self.node)
        if expr is not None:
            for ref in expr.refs():
                self.node.wait_for(ref.node)
        self.condition = expr
        self.has_else = label == "else_()"
        self.labels.append(label)
        self.open = True
        self.tracer.begin_arm(f"{self.node.id}-{len(self.node.cases)}", self.name)

    def close_arm(self, result: Any) -> None:
        assert self.node is not None
        location = location_of(user_frame())
        self.open = False
        arm = self.tracer.end_arm()
        label = self.labels[-1]
        if arm is None:
            raise self.error(
                f"{label}.then(...) takes the call made in it, e.g. then(train(x=x)); got "
                f"{type(result).__name__} {result!r}, which no call in the arm made",
                location,
            )
        if node_of(result) != arm.id:
            raise self.error(
                f"{label}.then(...) must receive what the arm's call {arm.name!r} returns, "
                f"not {type(result).__name__} {result!r}",
                location,
            )
        self._check_outputs(arm, label, location)
        for upstream in arm.upstream:
            self.node.wait_for(upstream)
        condition = self.condition.condition if self.condition is not None else None
        self.node.cases.append(BranchCase(condition=condition, node=arm.spec()))

    def fail_arm(self, message: Any) -> None:
        assert self.node is not None
        location = location_of(user_frame())
        self.open = False
        arm = self.tracer.end_arm()
        label = self.labels[-1]
        if arm is not None:
            raise self.error(
                f"{label}.fail(...) ends the arm with an error, but the call {arm.name!r} was "
                "made in it too; an arm either calls (then) or fails",
                location,
            )
        if not isinstance(message, str) or not message.strip():
            raise self.error(
                f"{label}.fail(...) takes the message the execution fails with, got "
                f"{message!r}",
                location,
            )
        condition = self.condition.condition if self.condition is not None else None
        self.node.cases.append(BranchCase(condition=condition, fail=message))

    def _check_outputs(self, arm: TracedNode, label: str, location: SourceLocation | None) -> None:
        assert self.node is not None
        where = f"arm {len(self.node.cases)} ({label})"
        if self.outputs is None:
            self.outputs = arm.outputs
            self.first_with_outputs = where
            self.node.outputs = arm.outputs
            return
        if self.outputs.types != arm.outputs.types:
            raise self.error(
                f"{where} calls {arm.name!r}, which produces {_describe(arm.outputs)}, but "
                f"{self.first_with_outputs} produces {_describe(self.outputs)}. Every arm "
                "must produce the same outputs (names and types), since the conditional's "
                "outputs are those of whichever arm runs",
                location,
            )

    def result(self) -> Any:
        """The branch's outputs, as its arms' calls return them."""
        assert self.node is not None
        return self.tracer.promises(self.node, self.outputs or NO_OUTPUTS)

    def check_complete(self) -> None:
        if self.node is None:
            raise self.error(
                "has no arms; write conditional(name).if_(condition).then(call)"
            )
        if self.open:
            raise self.error(
                f"{self.labels[-1]} is not followed by then(call) or fail(message)"
            )
        if not self.has_else and self.outputs is not None and self.outputs.types:
            raise self.error(
                f"produces {_describe(self.outputs)} but has no else_() arm, so when no "
                "condition holds nothing would produce them. Add .else_().then(call) or "
                ".else_().fail(message)"
            )


def _describe(outputs: NodeOutputs) -> str:
    if not outputs.types:
        return "no outputs"
    return "{" + ", ".join(f"{n}: {t.describe()}" for n, t in outputs.types.items()) + "}"


class Conditional:
    """A conditional being written: start it with `if_`."""

    __slots__ = ("_section",)

    def __init__(self, section: _Section) -> None:
        self._section = section

    def if_(self, condition: Any) -> Case:
        """The first arm, taken when ``condition`` holds: ``x > 0.5``, ``(a == b) & c``, a
        boolean output, or (in a dynamic body, over real values) a plain bool."""
        self._section.open_arm("if_()", condition)
        return Case(self._section)


class Case:
    """An arm waiting for its call (`then`) or its failure message (`fail`)."""

    __slots__ = ("_section",)

    def __init__(self, section: _Section) -> None:
        self._section = section

    def then(self, call: Any) -> Any:
        """The arm runs ``call``, a single task, map, workflow or launch plan call written
        here: ``then(train(x=x))``.

        Returns:
            After ``else_()``: the conditional's outputs, as the call returns them. Otherwise
            the conditional, to add ``elif_`` or ``else_`` arms.
        """
        section = self._section
        section.close_arm(call)
        if section.has_else:
            return section.result()
        return Branches(section)

    def fail(self, message: str) -> Any:
        """The arm fails the execution with ``message`` instead of running a call.

        Returns:
            As `then`.
        """
        section = self._section
        section.fail_arm(message)
        if section.has_else:
            return section.result()
        return Branches(section)


class Branches:
    """A conditional with at least one arm: add ``elif_`` arms or the ``else_`` arm.

    A conditional whose arms produce no outputs may end here; it can then be ordered with
    ``>>`` like any call.
    """

    __slots__ = ("_section",)

    def __init__(self, section: _Section) -> None:
        self._section = section

    @property
    def branch_node_id(self) -> str:
        """The id of the conditional's node."""
        assert self._section.node is not None
        return self._section.node.id

    def elif_(self, condition: Any) -> Case:
        """Another arm, taken when the arms before it were not and ``condition`` holds."""
        self._section.open_arm("elif_()", condition)
        return Case(self._section)

    def else_(self) -> Case:
        """The last arm, taken when no condition holds."""
        self._section.open_arm("else_()", None)
        return Case(self._section)

    def __rshift__(self, other: Any) -> Any:
        """``a >> b``: run b's node after this conditional."""
        return self._section.tracer.order(self, other)

    def __repr__(self) -> str:
        return f"<conditional {self._section.name!r}>"


def conditional(name: str) -> Conditional:
    """Start a conditional: one node that runs the call of the first arm whose condition
    holds, and produces its outputs.

    Args:
        name: the node's name, shown in the console and in messages.

    Returns:
        A `Conditional`; chain ``.if_(cond).then(call)``, then any ``.elif_(cond).then(call)``
        and an optional ``.else_().then(call)`` or ``.else_().fail(message)``.

    Raises:
        CompileError: an arm with no call or two calls, arms whose outputs differ, a
            condition over values that cannot be compared, or outputs without an ``else_``.
        TypeError: outside a workflow or dynamic body, or on ``if``/``and``/``or`` of a
            condition.

    Example:
        >>> @workflow
        ... def grade(score: float) -> str:
        ...     return (
        ...         conditional("grade")
        ...         .if_(score >= 0.9).then(praise(score=score))
        ...         .else_().then(encourage(score=score))
        ...     )
    """
    tracer = active_tracer()
    if not isinstance(tracer, WorkflowTracer):
        raise TypeError(
            f"conditional({name!r}) branches inside the body of a @workflow or @dynamic; "
            "outside one, values are known, so use a plain `if`"
        )
    location = location_of(user_frame())
    if not isinstance(name, str) or not name.strip():
        raise tracer.error(
            f"conditional(name) takes a non-empty name for its node, got {name!r}",
            location=location,
        )
    return Conditional(_Section(tracer, name, location))
