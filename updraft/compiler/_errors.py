"""Wiring errors found while compiling a workflow body."""

from __future__ import annotations

from updraft.model import SourceLocation


class CompileError(TypeError):
    """A workflow body is wired wrongly. The message starts with the user's file and line,
    names the workflow, the node and the input, and says what was expected and what came.

    Attributes:
        workflow: the workflow's name.
        node: the node id (``n3``) or None when the error is about the workflow itself.
        input: the input at fault, or None.
        location: where in the user's file the offending call is.
    """

    def __init__(
        self,
        message: str,
        *,
        workflow: str,
        node: str | None = None,
        input: str | None = None,
        location: SourceLocation | None = None,
    ) -> None:
        self.workflow = workflow
        self.node = node
        self.input = input
        self.location = location
        prefix = f"{location.file}:{location.line}: " if location else ""
        super().__init__(prefix + message)


# Users meet it as `updraft.CompileError` (also in a dynamic task's error, which names the
# exception's module), not by its private module.
CompileError.__module__ = "updraft"
