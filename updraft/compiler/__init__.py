"""Traces workflow bodies into `WorkflowSpec`s, binding and type-checking every input.

A body's calls become nodes: tasks, map tasks, subworkflows, launch plans and conditionals,
ordered with ``>>`` and changed with ``with_overrides``. Dynamic task bodies are traced the
same way when they run (`trace_dynamic`). The compiler produces specs and never runs them:
running is the runner's and the engine's.
"""

from updraft.compiler._condition import ConditionExpr
from updraft.compiler._conditional import Branches, Case, Conditional, conditional
from updraft.compiler._dynamic import trace_dynamic
from updraft.compiler._errors import CompileError
from updraft.compiler._failure import WorkflowFailurePolicy
from updraft.compiler._promise import NodeHandle, Promise
from updraft.compiler._workflow import Workflow, task_workflow, workflow

__all__ = [
    "Branches",
    "Case",
    "CompileError",
    "ConditionExpr",
    "Conditional",
    "NodeHandle",
    "Promise",
    "Workflow",
    "WorkflowFailurePolicy",
    "conditional",
    "task_workflow",
    "trace_dynamic",
    "workflow",
]
