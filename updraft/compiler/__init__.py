"""Traces workflow bodies into `WorkflowSpec`s, binding and type-checking every input.

The compiler produces specs and never runs them: running is the runner's and the engine's.
"""

from updraft.compiler._errors import CompileError
from updraft.compiler._promise import Promise
from updraft.compiler._workflow import Workflow, task_workflow, workflow

__all__ = ["CompileError", "Promise", "Workflow", "task_workflow", "workflow"]
