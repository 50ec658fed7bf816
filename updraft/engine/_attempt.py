"""Run one attempt of a Python task in this process: the code path every executor shares.

`run_attempt` finds the task's function, converts its input literals, calls it inside the
task context with the attempt's environment and a scratch folder, converts what it returned,
and turns every way this can end into an `AttemptResult`. The user's exceptions become
USER_ERROR with their traceback, our own frames removed; a MemoryError becomes OOM. Two
variants share that path: a map batch runs the function once per element and reports each
element, and a dynamic node hands the function to its expander, which returns the node's
sub-workflow instead of outputs.

It does no process management, enforces no limit and redirects no output: executors do that
around it. The hot path (a resolved task with small inputs) does no import, no file-system
scan and no lookup beyond a dictionary; a map element costs only its own conversions and call.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from updraft._runtime import TaskContext, task_context
from updraft.model import (
    AttemptRequest,
    AttemptResult,
    BlobIO,
    ElementResult,
    ErrorInfo,
    Literal,
    Outcome,
    WorkflowSpec,
)
from updraft.types import TypeConversionError, interface_of, to_literal, to_python

_ENGINE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_TASK_LOGGER = logging.getLogger("updraft.task")
_MISSING: Any = object()
#: Folder timestamps older than this before an attempt reveal any change made during it.
_STAMP_MARGIN_NS = 50_000_000


class _Resolved:
    """A task's function and what is needed to call it, computed once per code version."""

    __slots__ = ("func", "inputs", "n_inputs", "outputs", "outputs_to_dict", "required")

    def __init__(self, func: Callable[..., Any]) -> None:
        interface = interface_of(func)
        self.func = func
        self.inputs: dict[str, Any] = {n: i.annotation for n, i in interface.inputs.items()}
        self.required = tuple(n for n, i in interface.inputs.items() if not i.has_default)
        self.n_inputs = len(self.inputs)
        self.outputs: list[tuple[str, Any]] = list(interface.outputs.items())
        self.outputs_to_dict: Callable[[object], dict[str, object]] = interface.outputs_to_dict


class _Failure(Exception):
    """Ends an attempt early with a given outcome, message and traceback."""

    def __init__(self, outcome: Outcome, message: str, tb: str = "") -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message
        self.tb = tb


_resolved: dict[tuple[str, str | None, str], _Resolved] = {}
#: Dynamic expanders by entry point, imported once per process.
_expanders: dict[str, Callable[..., Any]] = {}


class _Scratch:
    """Hands each attempt an empty scratch folder and removes what the attempt left there.

    Creating and removing a folder costs ~70 us on this kind of disk, several times the rest
    of a trivial attempt, so a folder the attempt left empty is handed to the next attempt
    instead of being recreated; one with content is removed. Whether it stayed empty is read
    from its timestamps when they predate the attempt by more than the file system's clock
    granularity (one ``stat``), else by listing it.
    """

    def __init__(self) -> None:
        self.root = ""
        self._free = ""
        self._stamp = (0, 0)
        self._trusted = False
        self._count = 0

    def set_root(self, root: str) -> None:
        os.makedirs(root, exist_ok=True)
        self.root = root

    def take(self) -> str:
        path = self._free
        if path:
            self._free = ""
            self._trusted = self._stamp[0] < time.time_ns() - _STAMP_MARGIN_NS
            return path
        if not self.root:
            self.root = tempfile.mkdtemp(prefix=f"updraft-attempts-{os.getpid()}-")
            root = self.root
            import atexit

            atexit.register(shutil.rmtree, root, True)
        self._count += 1
        path = f"{self.root}/{self._count}"
        os.mkdir(path)
        self._trusted = False
        return path

    def give_back(self, path: str) -> None:
        try:
            info = os.stat(path)
            stamp = (info.st_mtime_ns, info.st_ctime_ns)
            if self._trusted and stamp == self._stamp:
                self._free = path
                return
            with os.scandir(path) as entries:
                empty = next(entries, None) is None
        except OSError:
            return
        if empty:
            self._free = path
            self._stamp = stamp
        else:
            shutil.rmtree(path, ignore_errors=True)


scratch = _Scratch()


def set_scratch_root(root: str) -> None:
    """Make attempts' scratch folders under ``root`` (a worker sets its own)."""
    scratch.set_root(root)


def clear_resolved() -> None:
    """Forget every resolved task function (used when code paths change in one process)."""
    _resolved.clear()


def _exception_line(exc: BaseException) -> str:
    kind = type(exc)
    name = kind.__qualname__ if kind.__module__ == "builtins" else (
        f"{kind.__module__}.{kind.__qualname__}")
    text = str(exc)
    return f"{name}: {text}" if text else name


def user_traceback(exc: BaseException) -> str:
    """The formatted traceback of ``exc`` without the engine's own leading frames, so the
    user sees their code first."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(_ENGINE_DIR):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def put_code_paths(code_paths: Sequence[str]) -> None:
    """Put ``code_paths`` at the front of ``sys.path``, in their order, skipping those already
    on it, so an entry point's module is found the same way wherever it is imported."""
    for path in reversed(code_paths):
        if path not in sys.path:
            sys.path.insert(0, path)


def _import_entry_point(request: AttemptRequest) -> Callable[..., Any]:
    entry = request.entry_point
    module_name, sep, qualname = entry.partition(":")
    if not sep or not module_name or not qualname:
        raise _Failure(
            Outcome.USER_ERROR,
            f"task {request.task_name!r}: entry point {entry!r} is not 'module:qualname'; "
            "register the task again so its entry point is recorded",
        )
    if "<locals>" in qualname:
        raise _Failure(
            Outcome.USER_ERROR,
            f"task {request.task_name!r} is defined inside a function ({qualname!r}), so a "
            "worker cannot import it; define it at module level",
        )
    put_code_paths(request.code_paths)
    where = (f"code paths {list(request.code_paths)}" if request.code_paths
             else "no code paths")
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as exc:
        raise _Failure(
            Outcome.USER_ERROR,
            f"task {request.task_name!r}: could not import module {module_name!r} of entry "
            f"point {entry!r} ({_exception_line(exc)}) with {where} at the front of sys.path. "
            "Make sure the module is importable from the project root (the first folder "
            "upward without an __init__.py) and that root is among the code paths, or "
            "register the code again.",
            user_traceback(exc),
        ) from exc
    for part in qualname.split("."):
        found = getattr(obj, part, _MISSING)
        if found is _MISSING:
            raise _Failure(
                Outcome.USER_ERROR,
                f"task {request.task_name!r}: module {module_name!r} has no attribute "
                f"{qualname!r} (entry point {entry!r}, {where}). Was the function renamed or "
                "moved since the workflow was registered? Register it again.",
            )
        obj = found
    return obj  # type: ignore[no-any-return]


def _load_by_value(request: AttemptRequest, blob_io: BlobIO) -> Callable[..., Any]:
    import cloudpickle

    uri = request.by_value or ""
    try:
        data = blob_io.get_bytes(uri)
    except Exception as exc:
        raise _Failure(
            Outcome.SYSTEM_ERROR,
            f"task {request.task_name!r}: could not read its pickled function from {uri} "
            f"({_exception_line(exc)})",
            user_traceback(exc),
        ) from exc
    try:
        return cloudpickle.loads(data)  # type: ignore[no-any-return]
    except Exception as exc:
        raise _Failure(
            Outcome.USER_ERROR,
            f"task {request.task_name!r}: could not unpickle its function from {uri} "
            f"({_exception_line(exc)}). The worker's Python and packages must match those "
            "of the process that defined the task.",
            user_traceback(exc),
        ) from exc


def _resolve(request: AttemptRequest, blob_io: BlobIO) -> _Resolved:
    key = (request.entry_point, request.by_value, request.code_version)
    found = _resolved.get(key)
    if found is not None:
        return found
    obj = _load_by_value(request, blob_io) if request.by_value else _import_entry_point(request)
    func = getattr(obj, "__wrapped__", obj)
    if not callable(func):
        raise _Failure(
            Outcome.USER_ERROR,
            f"task {request.task_name!r}: entry point {request.entry_point!r} is a "
            f"{type(func).__name__}, not a function",
        )
    try:
        resolved = _Resolved(func)
    except Exception as exc:
        raise _Failure(
            Outcome.USER_ERROR,
            f"task {request.task_name!r}: its signature cannot be used "
            f"({_exception_line(exc)})",
            user_traceback(exc),
        ) from exc
    _resolved[key] = resolved
    return resolved


def _convert_inputs(request: AttemptRequest, task: _Resolved, literals: dict[str, Literal],
                    blob_io: BlobIO, kwargs: dict[str, object]) -> None:
    """Convert ``literals`` to Python values into ``kwargs``."""
    annotations = task.inputs
    for name, literal in literals.items():
        annotation = annotations.get(name, _MISSING)
        if annotation is _MISSING:
            raise _Failure(
                Outcome.USER_ERROR,
                f"task {request.task_name!r} has no input {name!r}; its inputs are "
                f"{', '.join(annotations) or 'none'}. Register the workflow again.",
            )
        try:
            kwargs[name] = to_python(literal, annotation, blob_io)
        except TypeConversionError as exc:
            raise _Failure(
                Outcome.USER_ERROR,
                f"task {request.task_name!r}: input {name!r} could not be read: {exc}",
                user_traceback(exc),
            ) from exc


def _check_complete(request: AttemptRequest, task: _Resolved, kwargs: dict[str, object]) -> None:
    """Fail naming the required inputs that ``kwargs`` lacks (one length test when none)."""
    if len(kwargs) != task.n_inputs:
        missing = [n for n in task.required if n not in kwargs]
        if missing:
            raise _Failure(
                Outcome.USER_ERROR,
                f"task {request.task_name!r}: input(s) {', '.join(map(repr, missing))} were "
                "not given and have no default",
            )


def _inputs(request: AttemptRequest, task: _Resolved, blob_io: BlobIO) -> dict[str, object]:
    kwargs: dict[str, object] = {}
    _convert_inputs(request, task, request.inputs, blob_io, kwargs)
    _check_complete(request, task, kwargs)
    return kwargs


def _outputs(request: AttemptRequest, task: _Resolved, value: object, blob_io: BlobIO,
             prefix: str) -> dict[str, Literal]:
    try:
        named = task.outputs_to_dict(value) if task.outputs else {}
    except (TypeConversionError, TypeError, ValueError) as exc:
        raise _Failure(
            Outcome.USER_ERROR,
            f"task {request.task_name!r} returned {type(value).__name__}, which does not "
            f"match its declared outputs: {exc}",
            user_traceback(exc),
        ) from exc
    literals: dict[str, Literal] = {}
    for name, annotation in task.outputs:
        try:
            literals[name] = to_literal(named[name], annotation, blob_io, prefix)
        except TypeConversionError as exc:
            raise _Failure(
                Outcome.USER_ERROR,
                f"task {request.task_name!r}: output {name!r} could not be stored: {exc}",
                user_traceback(exc),
            ) from exc
    return literals


def _set_environment(environment: dict[str, str]) -> dict[str, str | None]:
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    return saved


def _restore_environment(saved: dict[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _call(request: AttemptRequest, task: _Resolved, kwargs: dict[str, object],
          context: TaskContext) -> object:
    """Call the task's function inside its context; the user's exceptions become failures."""
    try:
        with task_context(context):
            return task.func(**kwargs)
    except MemoryError as exc:
        raise _Failure(
            Outcome.OOM,
            f"task {request.task_name!r} ran out of memory ({_exception_line(exc)})",
            user_traceback(exc),
        ) from exc
    except (Exception, SystemExit) as exc:
        raise _Failure(Outcome.USER_ERROR, _exception_line(exc), user_traceback(exc)) from exc


def _run_elements(request: AttemptRequest, task: _Resolved, common: dict[str, object],
                  workdir: str, blob_io: BlobIO) -> list[ElementResult]:
    """Run the task once per element of a map batch and report each element.

    This is the hot path of a map: per element only the element's own inputs are converted
    (the inputs all elements share were converted once, into ``common``), the function is
    called in a context naming the element (``<node>-<index in the map>``) and its outputs are
    converted under ``<output_prefix>/<position>``. One element's failure never stops the
    others. The elements share the batch's scratch folder: a folder per element would cost
    more than a trivial element itself.
    """
    results: list[ElementResult] = []
    append = results.append
    func = task.func
    execution_id, node_id, attempt = request.execution_id, request.node_id, request.attempt
    prefix = request.output_prefix
    succeeded = Outcome.SUCCEEDED
    indices = request.element_indices or range(len(request.elements))
    for position, element in enumerate(request.elements):
        index = indices[position]
        try:
            kwargs = common.copy()
            _convert_inputs(request, task, element, blob_io, kwargs)
            _check_complete(request, task, kwargs)
            context = TaskContext(execution_id, f"{node_id}-{index}", attempt, workdir,
                                  _TASK_LOGGER)
            try:
                with task_context(context):
                    value = func(**kwargs)
            except MemoryError as exc:
                raise _Failure(
                    Outcome.OOM,
                    f"task {request.task_name!r}, element {index} ran out of memory "
                    f"({_exception_line(exc)})",
                    user_traceback(exc),
                ) from exc
            except (Exception, SystemExit) as exc:
                raise _Failure(Outcome.USER_ERROR, _exception_line(exc),
                               user_traceback(exc)) from exc
            append(ElementResult(succeeded, _outputs(request, task, value, blob_io,
                                                     f"{prefix}/{position}")))
        except _Failure as failure:
            append(_element_failed(failure.outcome, failure.message, failure.tb))
        except MemoryError as exc:
            append(_element_failed(
                Outcome.OOM, f"task {request.task_name!r}, element {index} ran out of "
                f"memory ({_exception_line(exc)})", user_traceback(exc)))
        except Exception as exc:
            append(_element_failed(
                Outcome.SYSTEM_ERROR, f"task {request.task_name!r}, element {index}: the "
                f"engine failed around the task ({_exception_line(exc)})",
                "".join(traceback.format_exception(exc))))
    return results


def _element_failed(outcome: Outcome, message: str, tb: str) -> ElementResult:
    return ElementResult(outcome, error=ErrorInfo(kind=outcome.value, message=message,
                                                  traceback=tb))


def _expander(request: AttemptRequest) -> Callable[..., Any]:
    """The dynamic expander named by ``request.expander``, imported once per process."""
    entry = request.expander
    found = _expanders.get(entry)
    if found is not None:
        return found
    module_name, sep, name = entry.partition(":")
    try:
        if not sep:
            raise ValueError("not 'module:function'")
        obj = getattr(importlib.import_module(module_name), name)
    except Exception as exc:
        raise _Failure(
            Outcome.SYSTEM_ERROR,
            f"task {request.task_name!r}: could not load the dynamic expander {entry!r} "
            f"({_exception_line(exc)}); the worker's updraft must provide it",
            "".join(traceback.format_exception(exc)),
        ) from exc
    if not callable(obj):
        raise _Failure(
            Outcome.SYSTEM_ERROR,
            f"task {request.task_name!r}: the dynamic expander {entry!r} is a "
            f"{type(obj).__name__}, not a function",
        )
    _expanders[entry] = obj
    return obj  # type: ignore[no-any-return]


def _expand(request: AttemptRequest, task: _Resolved, kwargs: dict[str, object],
            context: TaskContext, blob_io: BlobIO) -> WorkflowSpec:
    """Build a dynamic node's sub-workflow by running its body through the expander."""
    expand = _expander(request)
    try:
        with task_context(context):
            spec = expand(task.func, kwargs, request, blob_io)
    except MemoryError as exc:
        raise _Failure(
            Outcome.OOM,
            f"task {request.task_name!r} ran out of memory while building its workflow "
            f"({_exception_line(exc)})",
            user_traceback(exc),
        ) from exc
    except (Exception, SystemExit) as exc:
        raise _Failure(Outcome.USER_ERROR, _exception_line(exc), user_traceback(exc)) from exc
    if not isinstance(spec, WorkflowSpec):
        raise _Failure(
            Outcome.SYSTEM_ERROR,
            f"task {request.task_name!r}: the dynamic expander {request.expander!r} returned "
            f"{type(spec).__name__}, not a WorkflowSpec",
        )
    return spec


def run_attempt(
    request: AttemptRequest,
    blob_io: BlobIO,
    *,
    queued_at: float | None = None,
    worker_id: str = "",
) -> AttemptResult:
    """Run ``request`` in this process and report how it ended. Never raises for anything
    the task does (KeyboardInterrupt aside).

    A request with ``elements`` is a map batch: the task runs once per element with the
    element's inputs over ``inputs``, and the result lists each element's `ElementResult` in
    the batch's order; element ``i`` writes its blobs under ``<output_prefix>/<i>`` and sees
    ``<node_id>-<i>`` as its node in `current_context()` (the elements of a batch share one
    scratch folder). The batch's own outcome is
    SUCCEEDED whenever the elements could be run, however many of them failed.

    A request with ``expander`` is a dynamic node: the expander (``module:function``) is
    called with the task's function, its Python inputs, the request and ``blob_io``, inside
    the task's context, and the `WorkflowSpec` it returns is the result's ``workflow``.

    Args:
        request: the attempt; ``by_value`` (a pickled function's URI) wins over
            ``entry_point``, whose module is imported with ``code_paths`` at the front of
            ``sys.path``.
        blob_io: where blob inputs are read and outputs written (under
            ``request.output_prefix``).
        queued_at: when the attempt was queued; defaults to when it started.
        worker_id: recorded on the result.

    Returns:
        SUCCEEDED with output literals (or elements, or a workflow); USER_ERROR for an
        exception in the task, a value that does not convert, or an entry point that does
        not import; OOM for a MemoryError; SYSTEM_ERROR for a failure of the machinery
        itself.

    Example:
        >>> result = run_attempt(request, BlobStore("/tmp/blobs"))
        >>> result.outcome, result.outputs
    """
    started = time.time()
    saved = _set_environment(request.environment) if request.environment else None
    workdir = ""
    outputs: dict[str, Literal] | None = None
    elements: list[ElementResult] | None = None
    workflow: WorkflowSpec | None = None
    try:
        task = _resolve(request, blob_io)
        if request.elements:
            common: dict[str, object] = {}
            _convert_inputs(request, task, request.inputs, blob_io, common)
            workdir = scratch.take()
            elements = _run_elements(request, task, common, workdir, blob_io)
        else:
            kwargs = _inputs(request, task, blob_io)
            workdir = scratch.take()
            context = TaskContext(request.execution_id, request.node_id, request.attempt,
                                  workdir, _TASK_LOGGER)
            if request.expander:
                workflow = _expand(request, task, kwargs, context, blob_io)
            else:
                value = _call(request, task, kwargs, context)
                outputs = _outputs(request, task, value, blob_io, request.output_prefix)
    except _Failure as failure:
        return _failed(request, failure.outcome, failure.message, failure.tb, started,
                       queued_at, worker_id)
    except MemoryError as exc:
        return _failed(request, Outcome.OOM, f"task {request.task_name!r} ran out of memory "
                       f"({_exception_line(exc)})", user_traceback(exc), started, queued_at,
                       worker_id)
    except Exception as exc:
        return _failed(request, Outcome.SYSTEM_ERROR,
                       f"task {request.task_name!r}: the engine failed around the task "
                       f"({_exception_line(exc)})",
                       "".join(traceback.format_exception(exc)), started, queued_at,
                       worker_id)
    finally:
        if saved is not None:
            _restore_environment(saved)
        if workdir:
            scratch.give_back(workdir)
    return AttemptResult(
        attempt_id=request.id,
        outcome=Outcome.SUCCEEDED,
        outputs=outputs,
        queued_at=started if queued_at is None else queued_at,
        started_at=started,
        ended_at=time.time(),
        worker_id=worker_id,
        elements=elements,
        workflow=workflow,
    )


def _failed(request: AttemptRequest, outcome: Outcome, message: str, tb: str, started: float,
            queued_at: float | None, worker_id: str) -> AttemptResult:
    return AttemptResult(
        attempt_id=request.id,
        outcome=outcome,
        error=ErrorInfo(kind=outcome.value, message=message, traceback=tb),
        queued_at=started if queued_at is None else queued_at,
        started_at=started,
        ended_at=time.time(),
        worker_id=worker_id,
    )

