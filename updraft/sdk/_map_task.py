"""`map_task`: run one task over the elements of lists, each element its own attempt.

In a workflow body ``map_task(f)(x=xs)`` becomes one map node (the compiler checks the
lists against ``f``'s inputs); the engine runs ``f`` once per element, caches and retries each
element alone, and collects the outputs into lists in input order. Called outside a workflow,
it loops over the elements here, so task logic stays testable without an engine.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

from updraft.model import required_successes
from updraft.sdk._task import PythonTask
from updraft.sdk._tracing import active_tracer


class MapTask:
    """A task mapped over list inputs, made by `map_task`.

    Attributes:
        task: the task run once per element.
        bound: inputs fixed by ``functools.partial``, the same for every element.
        concurrency: at most this many elements run at once (None: no cap).
        min_success_ratio: the share of elements that must succeed for the map to succeed.
    """

    def __init__(
        self, task: Any, concurrency: int | None = None, min_success_ratio: float = 1.0
    ) -> None:
        self.task, self.bound = _unwrap(task)
        self.concurrency = concurrency
        self.min_success_ratio = min_success_ratio
        problem = self.problem()
        if problem and active_tracer() is None:
            raise ValueError(f"map_task({self.task.name}) {problem}")

    @property
    def name(self) -> str:
        """The mapped task's name."""
        return str(self.task.name)

    def problem(self) -> str | None:
        """What is wrong with the options, or None. In a workflow body the compiler reports
        it with the node and line; elsewhere the constructor raises it."""
        ratio = self.min_success_ratio
        if (
            isinstance(ratio, bool)
            or not isinstance(ratio, int | float)
            or not 0.0 <= ratio <= 1.0
        ):
            return f"min_success_ratio must be a number from 0 to 1, got {ratio!r}"
        concurrency = self.concurrency
        if concurrency is not None and (
            isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1
        ):
            return f"concurrency must be an integer of at least 1 or None, got {concurrency!r}"
        return None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        tracer = active_tracer()
        if tracer is not None:
            return tracer.call_map(self, args, kwargs, sys._getframe(1))
        return self._run_here(args, kwargs)

    def _run_here(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Loop over the zipped lists in this process, as the engine would element by
        element; with ``min_success_ratio`` below 1 a failed element's outputs are None."""
        where = f"map_task({self.task.name})"
        if args:
            raise TypeError(f"{where} takes its lists as keywords, e.g. x=[1, 2, 3]")
        clash = sorted(set(kwargs) & set(self.bound))
        if clash:
            raise TypeError(f"{where}: {clash} are bound by functools.partial; do not map them")
        if not kwargs:
            raise TypeError(f"{where} maps over nothing; pass at least one list, e.g. x=[1, 2]")
        lengths = {}
        for name, value in kwargs.items():
            if not isinstance(value, list | tuple):
                raise TypeError(
                    f"{where}: input {name!r} is mapped over, so it takes a list; got "
                    f"{type(value).__name__}"
                )
            lengths[name] = len(value)
        if len(set(lengths.values())) > 1:
            sizes = ", ".join(f"{n}: {k}" for n, k in lengths.items())
            raise ValueError(f"{where}: the mapped lists differ in length ({sizes})")
        count = next(iter(lengths.values()))
        iface = self.task.python_interface
        columns: dict[str, Any] = {name: [] for name in iface.outputs}
        failures: list[BaseException] = []
        for index in range(count):
            element = {name: values[index] for name, values in kwargs.items()}
            try:
                result = self.task.function(**self.bound, **element)
            except Exception as exc:
                if self.min_success_ratio >= 1.0:
                    raise
                failures.append(exc)
                named: dict[str, Any] = dict.fromkeys(iface.outputs)
            else:
                named = iface.outputs_to_dict(result)
            for name in columns:
                columns[name].append(named[name])
        succeeded = count - len(failures)
        needed = required_successes(self.min_success_ratio, count)
        if succeeded < needed:
            raise RuntimeError(
                f"{where}: {succeeded} of {count} elements succeeded, but min_success_ratio "
                f"{self.min_success_ratio} needs {needed}; the first failure: {failures[0]!r}"
            ) from failures[0]
        return iface.outputs_from_dict(columns)

    def __repr__(self) -> str:
        return f"<map task {self.name}>"


def _unwrap(task: Any) -> tuple[PythonTask[Any, Any], dict[str, Any]]:
    bound: dict[str, Any] = {}
    if isinstance(task, functools.partial):
        if task.args:
            raise TypeError(
                f"map_task: functools.partial({task.func!r}, ...) binds positional arguments; "
                "bind inputs by keyword, e.g. functools.partial(f, factor=2)"
            )
        bound = dict(task.keywords)
        task = task.func
    if not isinstance(task, PythonTask):
        raise TypeError(
            f"map_task takes a @task (or functools.partial of one), got "
            f"{type(task).__name__} {task!r}"
        )
    return task, bound


def map_task(
    task: Any, concurrency: int | None = None, min_success_ratio: float = 1.0
) -> MapTask:
    """Map ``task`` over lists: call the result with one list per mapped input.

    Every keyword of the call is mapped (several lists are zipped and must have the same
    length); inputs fixed for every element are bound with ``functools.partial``. Outputs
    are lists in input order: ``list[T]`` for a task returning ``T``, or ``list[Optional[T]]``
    when ``min_success_ratio`` is below 1 (failed elements give None).

    Args:
        task: a ``@task``, or ``functools.partial(task, k=v, ...)``.
        concurrency: at most this many elements run at once; None for no cap.
        min_success_ratio: the share of elements (0 to 1) that must succeed.

    Returns:
        A `MapTask` to call with the lists.

    Raises:
        TypeError: ``task`` is not a task or a keyword partial of one.
        ValueError: an option out of range (in a workflow body: a CompileError naming the
            node).

    Example:
        >>> @workflow
        ... def scaled(xs: list[int]) -> list[int]:
        ...     return map_task(functools.partial(scale, factor=2))(x=xs)
    """
    return MapTask(task, concurrency=concurrency, min_success_ratio=min_success_ratio)
