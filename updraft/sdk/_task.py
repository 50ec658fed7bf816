"""`@task`: a typed Python function that the engine can run, cache and retry.

Called inside a workflow body, a task adds a node; called anywhere else it is the plain
function it decorates, so unit tests of task logic need no engine.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import inspect
import sys
from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypedDict, TypeVar, Unpack, overload

from updraft.model import CachePolicy, ResourceSpec, TaskSpec
from updraft.sdk._identity import CodeIdentity, identify
from updraft.sdk._location import function_location
from updraft.sdk._resources import Resources
from updraft.sdk._tracing import active_tracer
from updraft.types import interface_of

P = ParamSpec("P")
R = TypeVar("R")


def _timeout_seconds(name: str, timeout: float | datetime.timedelta | None) -> float | None:
    if timeout is None:
        return None
    seconds = (
        timeout.total_seconds() if isinstance(timeout, datetime.timedelta) else float(timeout)
    )
    if seconds <= 0:
        raise ValueError(f"task {name!r}: timeout must be over 0 seconds, got {timeout!r}")
    return seconds


def source_version(func: Callable[..., Any]) -> str:
    """A cache version derived from the source, used when the user gives none."""
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        source = func.__qualname__
    return "src-" + hashlib.sha256(source.encode()).hexdigest()[:16]


class PythonTask(Generic[P, R]):
    """A task made by `task` (or `updraft.dynamic`, with ``kind="dynamic"``). Its ``spec``
    is what the engine and the store see."""

    def __init__(
        self,
        function: Callable[P, R],
        *,
        cache: bool = False,
        cache_version: str = "",
        retries: int = 0,
        timeout: float | datetime.timedelta | None = None,
        requests: Resources | None = None,
        limits: Resources | None = None,
        environment: dict[str, str] | None = None,
        kind: str = "python",
    ) -> None:
        functools.update_wrapper(self, function)
        self.function = function
        self.identity: CodeIdentity = identify(function)
        self.python_interface = interface_of(function)
        if retries < 0:
            raise ValueError(f"task {self.identity.name!r}: retries must be >= 0, got {retries}")
        version = cache_version or (source_version(function) if cache else "")
        self.spec = TaskSpec(
            name=self.identity.name,
            entry_point=self.identity.entry_point,
            interface=self.python_interface.to_model(),
            cache=CachePolicy(enabled=cache, version=version),
            retries=retries,
            timeout_s=_timeout_seconds(self.identity.name, timeout),
            requests=requests.to_spec() if requests else ResourceSpec(),
            limits=limits.to_spec() if limits else ResourceSpec(),
            environment=dict(environment or {}),
            location=function_location(function),
            docstring=inspect.getdoc(function) or "",
            kind=kind,
        )

    @property
    def name(self) -> str:
        """``module.qualname``, the task's identity for caching and registration."""
        return self.spec.name

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        tracer = active_tracer()
        if tracer is not None:
            result: R = tracer.call_task(self, args, kwargs, sys._getframe(1))
            return result
        return self.function(*args, **kwargs)

    def __repr__(self) -> str:
        kind = "" if self.spec.kind == "python" else f"{self.spec.kind} "
        return f"<{kind}task {self.name}>"


class TaskOptions(TypedDict, total=False):
    """The options of `task` and `updraft.dynamic`; `task` says what each does."""

    cache: bool
    cache_version: str
    retries: int
    timeout: float | datetime.timedelta | None
    requests: Resources | None
    limits: Resources | None
    environment: dict[str, str] | None


@overload
def task(_function: Callable[P, R], /) -> PythonTask[P, R]: ...


@overload
def task(**options: Unpack[TaskOptions]) -> Callable[[Callable[P, R]], PythonTask[P, R]]: ...


def task(
    _function: Callable[P, R] | None = None, /, **options: Unpack[TaskOptions]
) -> PythonTask[P, R] | Callable[[Callable[P, R]], PythonTask[P, R]]:
    """Make a function a task.

    Args:
        cache: reuse outputs for equal inputs (key: task name, ``cache_version``, interface,
            input hashes).
        cache_version: bump it to invalidate the cache; derived from the source when empty.
        retries: how many more times a user error, timeout or OOM is retried
            (``retries=2`` means up to 3 attempts).
        timeout: seconds (or a timedelta) after which the attempt is killed.
        requests: what the task needs to start; decides how many run at once.
        limits: what the task may use; memory and CPU are enforced.
        environment: variables set for the task's process.

    Raises:
        updraft.types.TypeAnnotationError: a parameter or the return lacks a usable
            annotation.

    Example:
        >>> @task(cache=True, cache_version="1.0", limits=Resources(mem="200Mi"))
        ... def double(x: int) -> int:
        ...     return 2 * x
    """
    return decorate(_function, "python", options)


def decorate(
    function: Callable[P, R] | None, kind: str, options: TaskOptions
) -> PythonTask[P, R] | Callable[[Callable[P, R]], PythonTask[P, R]]:
    """What ``@task`` and ``@dynamic`` (bare or with options) give for ``function``.

    Raises:
        TypeError: an option that does not exist, naming the ones that do.
    """
    unknown = sorted(set(options) - TaskOptions.__optional_keys__)
    if unknown:
        decorator = "task" if kind == "python" else kind
        raise TypeError(
            f"@{decorator} has no option(s) {', '.join(map(repr, unknown))}; its options "
            f"are {', '.join(sorted(TaskOptions.__optional_keys__))}"
        )

    def wrap(function: Callable[P, R]) -> PythonTask[P, R]:
        return PythonTask(function, kind=kind, **options)

    if function is not None:
        return wrap(function)
    return wrap
