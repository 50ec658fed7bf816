"""The inline executor: attempts run in the calling process, one after another.

Meant for debugging and tests: a breakpoint in a task stops right there, and a task's prints
go to the console. Nothing can be enforced in-process, so timeouts and limits are ignored
(with one warning per executor), a crash in native code takes the caller down with it, and
an attempt's output has no log file (``log_uri`` stays empty).
"""

from __future__ import annotations

import collections
import time
import warnings
from collections.abc import Sequence

from updraft.engine._attempt import run_attempt
from updraft.engine.executors._base import Executor
from updraft.model import AttemptRequest, AttemptResult, BlobIO, ErrorInfo, Outcome

#: `results` runs queued attempts for at most this long, so an engine tick stays short.
_SLICE_S = 0.01


class InlineExecutor(Executor):
    """Runs attempts in this process when `results` is called.

    `submit` only queues. `results` runs queued attempts in order until one fails or about
    10 ms have passed, and returns what finished; stopping at a failure lets the engine
    cancel the siblings still queued, as its failure policy asks.

    Args:
        blob_io: where the tasks' blob inputs and outputs live.

    Example:
        >>> executor = InlineExecutor(BlobStore("/tmp/blobs"))
        >>> executor.submit([request])
        >>> executor.results()[0].outcome
        <Outcome.SUCCEEDED: 'SUCCEEDED'>
    """

    name = "inline"

    def __init__(self, blob_io: BlobIO) -> None:
        self._blob_io = blob_io
        self._queue: collections.deque[tuple[AttemptRequest, float]] = collections.deque()
        self._cancelled: set[str] = set()
        self._done: list[AttemptResult] = []
        self._warned = False

    def submit(self, attempts: Sequence[AttemptRequest]) -> None:
        now = time.time()
        for request in attempts:
            if not self._warned and (request.timeout_s is not None
                                     or request.limits.mem is not None
                                     or request.limits.cpu is not None):
                self._warned = True
                warnings.warn(
                    f"task {request.task_name!r}: the inline executor cannot enforce timeouts "
                    "or resource limits, so they are ignored; use the process executor to "
                    "enforce them",
                    RuntimeWarning,
                    stacklevel=2,
                )
            self._queue.append((request, now))

    def results(self) -> list[AttemptResult]:
        done, self._done = self._done, []
        until = time.monotonic() + _SLICE_S
        queue = self._queue
        while queue:
            request, queued_at = queue.popleft()
            if request.id in self._cancelled:
                self._cancelled.discard(request.id)
                continue
            result = run_attempt(request, self._blob_io, queued_at=queued_at,
                                 worker_id="inline")
            done.append(result)
            if result.outcome is not Outcome.SUCCEEDED or time.monotonic() > until:
                break
        return done

    def prewarm(self, code_version: str, code_paths: Sequence[str],
                modules: Sequence[str]) -> None:
        """Does nothing: attempts import their modules in this process, which has usually
        imported them already."""

    def wait(self, timeout: float) -> None:
        """Returns at once: queued attempts run in `results`, nothing runs in between."""

    def cancel(self, attempt_id: str) -> None:
        """Drop a queued attempt and report it CANCELLED; a finished one is left alone."""
        for request, queued_at in self._queue:
            if request.id == attempt_id and attempt_id not in self._cancelled:
                self._cancelled.add(attempt_id)
                now = time.time()
                self._done.append(AttemptResult(
                    attempt_id=attempt_id, outcome=Outcome.CANCELLED,
                    error=ErrorInfo(kind=Outcome.CANCELLED.value,
                                    message=f"task {request.task_name!r} was cancelled "
                                            "before it started"),
                    queued_at=queued_at, started_at=now, ended_at=now, worker_id="inline"))
                return

    def capacity(self) -> None:
        """None: the executor queues whatever it is given."""
        return None

    def close(self) -> None:
        self._queue.clear()
        self._cancelled.clear()
