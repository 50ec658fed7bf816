"""The process executor's helper thread: starts workers and kills the ones that overrun.

Workers are started here rather than in whichever thread drives the executor, because
PR_SET_PDEATHSIG fires when the thread that forked a worker exits, not the process: a thread
that lives as long as the executor keeps workers alive exactly that long.

The thread also enforces timeouts and, for the watchdog backend, memory limits: every
watched worker is checked at its deadline and, when sampled, about every 50 ms. A worker it
kills gets a `kill_reason`; the executor reads it when the worker's pipe closes. The thread
never touches the executor's queues.
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import time

from updraft.engine._limits import LimitBackend, format_bytes
from updraft.engine.executors._process_worker import WorkerProcess

_SAMPLE_PERIOD_S = 0.05


@dataclasses.dataclass
class Watch:
    """One running attempt to stop at ``deadline`` or above ``mem_limit`` (sampled)."""

    worker: WorkerProcess
    attempt_id: str
    deadline: float | None
    timeout_message: str
    mem_limit: int | None
    oom_message: str


class Supervisor(threading.Thread):
    """Starts workers and enforces deadlines and sampled memory limits."""

    def __init__(self, backend: LimitBackend) -> None:
        super().__init__(name="updraft-process-executor", daemon=True)
        self._backend = backend
        self._cond = threading.Condition()
        self._starts: collections.deque[WorkerProcess] = collections.deque()
        self._watches: dict[int, Watch] = {}
        self._stopping = False

    def start_worker(self, worker: WorkerProcess) -> None:
        """Start ``worker`` soon; its ``started`` event is set when it has been tried."""
        with self._cond:
            if self._stopping:
                raise RuntimeError("the process executor is closed; create a new one")
            self._starts.append(worker)
            self._cond.notify()

    def watch(self, watch: Watch) -> None:
        with self._cond:
            self._watches[watch.worker.token] = watch
            self._cond.notify()

    def unwatch(self, worker: WorkerProcess) -> None:
        """Stop watching; after this returns the thread never kills ``worker``."""
        if worker.token in self._watches:
            with self._cond:
                self._watches.pop(worker.token, None)

    def kill(self, worker: WorkerProcess, attempt_id: str, outcome: str, message: str) -> None:
        """Kill ``worker`` and record why, unless a reason was already recorded."""
        with self._cond:
            self._kill_locked(worker, attempt_id, outcome, message)

    def _kill_locked(self, worker: WorkerProcess, attempt_id: str, outcome: str,
                     message: str) -> None:
        self._watches.pop(worker.token, None)
        if worker.kill_reason is None:
            worker.kill_reason = (attempt_id, outcome, message)
        worker.kill()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout=5)

    def _check(self, now: float) -> float | None:
        """Kill what is over; return how long to sleep before the next check."""
        wake: float | None = None
        for watch in list(self._watches.values()):
            if watch.deadline is not None:
                if now >= watch.deadline:
                    self._kill_locked(watch.worker, watch.attempt_id, "TIMED_OUT",
                                      watch.timeout_message)
                    continue
                left = watch.deadline - now
                wake = left if wake is None else min(wake, left)
            if watch.mem_limit is not None and self._backend.samples:
                used = self._backend.memory_in_use(watch.worker.pid)
                if used is not None and used > watch.mem_limit:
                    self._kill_locked(
                        watch.worker, watch.attempt_id, "OOM",
                        f"{watch.oom_message} (its anonymous memory and swap reached "
                        f"{format_bytes(used)})")
                    continue
                wake = _SAMPLE_PERIOD_S if wake is None else min(wake, _SAMPLE_PERIOD_S)
        return wake

    def run(self) -> None:
        with self._cond:
            while True:
                while self._starts and not self._stopping:
                    worker = self._starts.popleft()
                    self._cond.release()
                    try:
                        worker.start(self._backend)
                    finally:
                        self._cond.acquire()
                if self._stopping:
                    for worker in self._starts:
                        worker.start_error = "the executor was closed"
                        worker.started.set()
                    return
                wake = self._check(time.monotonic())
                self._cond.wait(wake)
