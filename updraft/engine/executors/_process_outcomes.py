"""How the process executor words the endings it observes from outside a worker.

A task's own exceptions are reported by the worker itself (`run_attempt`); this module
covers what only the parent sees: a worker that died, ran out of its memory limit, overran
its timeout, was cancelled, or never started. Messages name the task, what happened and
what to change.
"""

from __future__ import annotations

import signal
import time

from updraft.engine._limits import format_bytes, format_resources
from updraft.model import AttemptRequest, AttemptResult, ErrorInfo, Outcome


def describe_exit(code: int | None) -> str:
    """``exit code 3`` or ``killed by signal SIGSEGV`` for a worker's return code."""
    if code is None:
        return "it never started"
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def oom_message(request: AttemptRequest) -> str:
    mem = request.limits.mem or 0
    return (f"task {request.task_name!r} ran out of its {format_bytes(mem)} memory limit "
            f"(limits={format_resources(request.limits)}) and was killed; raise limits.mem "
            "or make the task use less memory")


def timeout_message(request: AttemptRequest) -> str:
    timeout = request.timeout_s or 0.0
    return (f"task {request.task_name!r} ran longer than its timeout of {timeout:g}s "
            f"(timeout_s={timeout:g}) and was stopped; raise the task's timeout or make it "
            "faster")


def crash_message(request: AttemptRequest, pid: int, code: int | None) -> str:
    return (f"the worker running task {request.task_name!r} (pid {pid}) died during the "
            f"attempt ({describe_exit(code)}); the task or a library it calls ended the "
            "process (os._exit, a crash in native code, or a kill from outside)")


def limit_too_low_message(request: AttemptRequest) -> str:
    return (f"task {request.task_name!r} cannot start: its memory limit "
            f"(limits={format_resources(request.limits)}) is below what a fresh worker "
            "already holds; raise limits.mem")


def limit_failed_message(request: AttemptRequest, backend: str, exc: OSError) -> str:
    return (f"task {request.task_name!r}: could not set "
            f"limits={format_resources(request.limits)} on its worker with the {backend} "
            f"limit backend ({exc})")


def requeued_too_often_message(request: AttemptRequest, times: int, code: int | None) -> str:
    return (f"task {request.task_name!r}: {times} workers died while this attempt was queued "
            f"on them (the last: {describe_exit(code)})")


def start_failed_message(request: AttemptRequest, times: int, code: int | None) -> str:
    return (f"task {request.task_name!r}: {times} worker processes in a row failed to start "
            f"({describe_exit(code)}); check that this Python can import updraft and run "
            "updraft/engine/_worker_main.py")


def cancelled_message(request: AttemptRequest, running: bool) -> str:
    when = "while running" if running else "before it started"
    return f"task {request.task_name!r} was cancelled {when}"


def ended(request: AttemptRequest, outcome: Outcome, message: str, *, queued_at: float,
          started_at: float | None = None, worker_id: str = "", traceback: str = "",
          log_uri: str = "") -> AttemptResult:
    """A result for an attempt that ended without a word from its worker."""
    now = time.time()
    return AttemptResult(
        attempt_id=request.id, outcome=outcome,
        error=ErrorInfo(kind=outcome.value, message=message, traceback=traceback),
        log_uri=log_uri, queued_at=queued_at,
        started_at=now if started_at is None else started_at, ended_at=now,
        worker_id=worker_id)
