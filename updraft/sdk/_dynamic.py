"""`@dynamic`: a task whose body builds a workflow from the actual input values.

In a workflow body a dynamic task is called like any task and becomes one node. When that
node runs, the engine calls the expander (`updraft.model.DYNAMIC_EXPANDER`, reached by
name, never imported by the engine): it runs the function with the real inputs, its task
calls becoming the nodes of a sub-workflow, which the engine then runs as the node's
children. Called outside a workflow, a dynamic task is the plain function it decorates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar, Unpack, overload

from updraft.sdk._task import PythonTask, TaskOptions, decorate

P = ParamSpec("P")
R = TypeVar("R")

@overload
def dynamic(_function: Callable[P, R], /) -> PythonTask[P, R]: ...


@overload
def dynamic(**options: Unpack[TaskOptions]) -> Callable[[Callable[P, R]], PythonTask[P, R]]: ...


def dynamic(
    _function: Callable[P, R] | None = None, /, **options: Unpack[TaskOptions]
) -> PythonTask[P, R] | Callable[[Callable[P, R]], PythonTask[P, R]]:
    """Make a function a dynamic task: at run time its body, with real input values, decides
    which tasks to call (loops and ``if`` over real values), and those calls run as the
    node's children on the same engine.

    The options are those of `updraft.task`; they apply to building the sub-workflow (the
    expansion), whose result is cached as a whole when ``cache=True``.

    Inside the body, task, map task, workflow and launch plan calls return promises, as in a
    workflow; the input values are real. What the body returns (promises or plain values)
    becomes the task's outputs.

    Raises:
        updraft.types.TypeAnnotationError: a parameter or the return lacks a usable
            annotation.

    Example:
        >>> @dynamic
        ... def squares(n: int) -> list[int]:
        ...     return [square(x=i) for i in range(n)]
    """
    return decorate(_function, "dynamic", options)
