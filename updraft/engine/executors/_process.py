"""The default executor: warm worker processes on this machine, fed batches of attempts.

Workers (``updraft/engine/_worker_main.py``) are keyed by code version and kept between
attempts. Attempts that carry no timeout and no limit travel in batches (one pipe write for
up to `_MAX_BATCH` attempts, results streamed back the same way), up to two batches ahead per
worker; an attempt with a timeout or limits runs alone on its worker, so its clock and its
limits are its own. CPU and memory requests decide how many attempts run at once: those
running hold their requests, and an attempt starts when its request fits what is left (or
when nothing else holds any).

`prewarm` starts a worker for a code version before its attempts come, importing the
tasks' modules while the caller is still busy elsewhere; until it says `Ready` it counts as
starting, so a single queued attempt waits for it rather than starting another worker.

A worker that dies is replaced; the attempt it was running (read from a shared state block)
is reported SYSTEM_ERROR, OOM, TIMED_OUT or CANCELLED according to why, and the attempts
queued behind it on that worker are run again elsewhere. Nothing here waits without a bound.

The executor is driven from one thread; it is not safe to call from several at once.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import logging
import math
import os
import secrets
import selectors
import shutil
import tempfile
import time
import weakref
from collections.abc import Sequence

import msgspec

from updraft.engine._limits import LimitBackend, select_backend
from updraft.engine._worker_wire import (
    Done,
    FromWorker,
    RunBatch,
    attempt_log_path,
    encode_frame,
)
from updraft.engine.executors import _process_outcomes as outcomes
from updraft.engine.executors._base import Executor
from updraft.engine.executors._process_host import (
    FILES_PREFIX,
    cpu_count,
    default_log_dir,
    memory_available,
    sweep_stale_files,
)
from updraft.engine.executors._process_worker import Sent, WorkerInfo, WorkerProcess
from updraft.engine.executors._supervisor import Supervisor, Watch
from updraft.model import AttemptRequest, AttemptResult, Outcome

_log = logging.getLogger("updraft.engine")

#: Largest batch handed to one worker at once; small enough to balance the tail of a map.
_MAX_BATCH = 256
#: Batches a worker may hold at once, so it never waits for the next one.
_BATCHES_AHEAD = 2
#: An attempt shorter than this proves its worker quick. Attempts of unknown length go one
#: at a time to workers not proven quick: attempts sent together run one after another, so
#: a long one would hold the others back while another worker is free or soon free.
_QUICK_S = 0.05
#: How many attempts per worker `capacity` invites the engine to submit.
_AHEAD_PER_WORKER = _MAX_BATCH * _BATCHES_AHEAD
#: An attempt run again this many times because workers died around it fails instead.
_MAX_REQUEUES = 3
#: A code version whose workers die this many times in a row before `Ready` fails.
_MAX_START_FAILURES = 3


class _Queued:
    __slots__ = ("alone", "cancelled", "queued_at", "request", "requeues")

    def __init__(self, request: AttemptRequest, queued_at: float, requeues: int = 0) -> None:
        self.request = request
        self.queued_at = queued_at
        self.requeues = requeues
        self.cancelled = False
        limits = request.limits
        self.alone = (request.timeout_s is not None or limits.mem is not None
                      or limits.cpu is not None)


def _cleanup(workers: dict[int, WorkerProcess], backend: LimitBackend, files: str,
             supervisor: Supervisor) -> None:
    """Stop the workers, remove their groups, close their pipes and remove their files; also
    run for an executor that is garbage-collected or still open when the interpreter exits."""
    supervisor.stop()
    for worker in list(workers.values()):
        worker.kill()
    for worker in list(workers.values()):
        with contextlib.suppress(Exception):
            worker.reap()
        if worker.group is not None:
            with contextlib.suppress(Exception):
                backend.release(worker.group)
        worker.close_files()
    workers.clear()
    with contextlib.suppress(Exception):
        backend.close()
    shutil.rmtree(files, ignore_errors=True)


class ProcessExecutor(Executor):
    """Runs attempts in warm worker processes with per-attempt limits and logs.

    Args:
        blob_root: the blob store's root; logs go next to it (``<parent>/logs``) unless
            ``log_dir`` says otherwise.
        max_workers: most worker processes at once; defaults to the CPUs this process may
            use.
        memory_limit_backend: ``auto`` (cgroup v2, else v1, else the watchdog), ``v2``,
            ``v1`` or ``watchdog``.
        log_dir: where each attempt's output is kept, as
            ``<log_dir>/<execution>/<node>-<attempt>.log``. An attempt that printed nothing
            has no log file and an empty ``log_uri``.

    Raises:
        LimitsUnavailableError: the named limit backend does not work on this host.

    Example:
        >>> with ProcessExecutor("/tmp/blobs") as executor:
        ...     executor.submit([request])
        ...     while not (done := executor.results()):
        ...         executor.wait(1.0)
    """

    name = "process"

    def __init__(
        self,
        blob_root: str,
        max_workers: int | None = None,
        memory_limit_backend: str = "auto",
        *,
        log_dir: str | None = None,
    ) -> None:
        if max_workers is not None and max_workers < 1:
            raise ValueError(f"max_workers must be at least 1, got {max_workers}")
        self._blob_root = blob_root
        self._max_workers = max_workers or cpu_count()
        self._log_dir = log_dir or default_log_dir(blob_root)
        tag = f"{os.getpid()}-{secrets.token_hex(3)}"
        self._backend = select_backend(memory_limit_backend, tag)
        sweep_stale_files()
        self._files = tempfile.mkdtemp(prefix=f"{FILES_PREFIX}{os.getpid()}-")
        self._cpu_budget = float(cpu_count())
        self._mem_budget = memory_available()
        self._held_cpu = 0.0
        self._held_mem = 0
        self._selector = selectors.DefaultSelector()
        self._decoder = msgspec.msgpack.Decoder(FromWorker)
        self._workers: dict[int, WorkerProcess] = {}
        self._queues: dict[str, collections.deque[_Queued]] = {}
        self._queued: dict[str, _Queued] = {}
        self._inflight: dict[str, WorkerProcess] = {}
        self._done: list[AttemptResult] = []
        self._tokens = itertools.count(1)
        self._start_failures: dict[str, int] = {}
        self._warned_cpu = False
        self._closed = False
        self._supervisor = Supervisor(self._backend)
        self._supervisor.start()
        self._finalizer = weakref.finalize(self, _cleanup, self._workers, self._backend,
                                           self._files, self._supervisor)

    # -- what the engine sees -------------------------------------------------------------

    @property
    def limit_backend(self) -> str:
        """Which backend enforces memory limits here: ``v2``, ``v1`` or ``watchdog``."""
        return self._backend.name

    @property
    def cgroup_roots(self) -> tuple[str, ...]:
        """The cgroup folders holding every worker of this executor (empty without
        cgroups); killing what is in them stops every worker, see `kill_cgroup_leftovers`."""
        return self._backend.roots

    @property
    def log_dir(self) -> str:
        """The folder under which each attempt's output is kept."""
        return self._log_dir

    def workers(self) -> list[WorkerInfo]:
        """The live workers: pid, cgroups and the attempts each holds."""
        return [w.info() for w in self._workers.values() if w.pid]

    def worker_of(self, attempt_id: str) -> WorkerInfo | None:
        """The worker running ``attempt_id``, or None while it is queued or after it ended."""
        worker = self._inflight.get(attempt_id)
        return worker.info() if worker is not None else None

    def submit(self, attempts: Sequence[AttemptRequest]) -> None:
        """Queue ``attempts`` and start as many as idle workers and requests allow."""
        if self._closed:
            raise RuntimeError("this ProcessExecutor is closed; create a new one")
        now = time.time()
        queues, queued = self._queues, self._queued
        for request in attempts:
            if request.id in queued or request.id in self._inflight:
                raise ValueError(
                    f"attempt {request.id!r} (task {request.task_name!r}) was already "
                    "submitted and has not finished; give each attempt a new id")
            entry = _Queued(request, now)
            queue = queues.get(request.code_version)
            if queue is None:
                queue = queues[request.code_version] = collections.deque()
            queue.append(entry)
            queued[request.id] = entry
        self._dispatch()

    def prewarm(self, code_version: str, code_paths: Sequence[str],
                modules: Sequence[str]) -> None:
        """Start a worker for ``code_version`` that imports ``modules`` before it serves
        attempts, so the first attempt finds them loaded instead of importing them itself.

        Returns at once; the worker starts and imports in the background. Nothing happens
        when a worker of ``code_version`` already exists, when the executor is closed, or
        when every worker is busy (an idle worker of another code version with nothing queued
        is retired to make room, as for a newly submitted code version). A module that fails
        to import is skipped; the attempt that needs it reports the failure.

        Args:
            code_version: the code version of the attempts to come.
            code_paths: put at the front of the worker's ``sys.path``, as for an attempt.
            modules: dotted module names to import, e.g. the modules of the tasks' entry
                points.

        Example:
            >>> executor.prewarm(version, ["/src/project"], ["pipelines.train"])
            >>> executor.submit([request])  # runs on the warm worker
        """
        if self._closed or any(w.code_version == code_version and not w.retiring
                               for w in self._workers.values()):
            return
        live = sum(1 for w in self._workers.values() if not w.retiring)
        if live >= self._max_workers:
            idle = self._idle_elsewhere(code_version)
            if idle is None:
                return
            self._retire(idle)
        self._spawn(code_version, code_paths, modules)

    def results(self) -> list[AttemptResult]:
        if not self._closed:
            self._poll(0.0)
        done, self._done = self._done, []
        return done

    def wait(self, timeout: float) -> None:
        """Block until a result is ready or ``timeout`` passes; returns at once when nothing
        is queued or running."""
        deadline = time.monotonic() + timeout
        while not self._done and not self._closed and (self._queued or self._inflight):
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self._poll(left)

    def cancel(self, attempt_id: str) -> None:
        """Drop a queued attempt, or kill the worker running it; either way it is reported
        CANCELLED. Attempts queued behind it on that worker run elsewhere."""
        entry = self._queued.pop(attempt_id, None)
        if entry is not None:
            entry.cancelled = True
            self._done.append(outcomes.ended(
                entry.request, Outcome.CANCELLED,
                outcomes.cancelled_message(entry.request, False), queued_at=entry.queued_at))
            return
        worker = self._inflight.get(attempt_id)
        if worker is not None:
            request = worker.outstanding[attempt_id].request
            self._supervisor.kill(worker, attempt_id, Outcome.CANCELLED.value,
                                  outcomes.cancelled_message(request, True))

    def parallelism(self) -> int:
        return self._max_workers

    def live_output(self, attempt_id: str) -> str | None:
        # Read from another thread: one dictionary lookup each, and the worker's output
        # file, which holds only the output of the attempt it runs now.
        worker = self._inflight.get(attempt_id)
        sent = worker.outstanding.get(attempt_id) if worker is not None else None
        if worker is None or sent is None or worker.running_now() != (sent.seq, sent.index):
            return None
        return worker.output_tail(16_000)

    def capacity(self) -> int:
        """How many more attempts are worth submitting now: a few batches per worker, less
        what is queued or running. Requests are checked when attempts start, not here."""
        if self._closed:
            return 0
        slots = self._max_workers * _AHEAD_PER_WORKER - len(self._queued) - len(self._inflight)
        return max(0, slots)

    def close(self) -> None:
        """Kill every worker, remove their cgroups and files. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        _cleanup(self._workers, self._backend, self._files, self._supervisor)
        self._selector.close()
        self._finalizer.detach()

    # -- pipes ----------------------------------------------------------------------------

    def _poll(self, timeout: float) -> None:
        events = self._selector.select(timeout)
        if not events:
            return
        for key, mask in events:
            worker: WorkerProcess = key.data
            if worker.closed:
                continue  # its pipe closed earlier in this round
            if mask & selectors.EVENT_WRITE:
                self._flush(worker)
            if mask & selectors.EVENT_READ:
                self._read(worker)
        self._dispatch()

    def _write(self, worker: WorkerProcess, data: bytes) -> None:
        if worker.outbuf:
            worker.outbuf += data
            return
        try:
            written = os.write(worker.to_fd, data)
        except BlockingIOError:
            written = 0
        except OSError:
            return  # the worker is gone; its closed pipe reports it
        if written < len(data):
            worker.outbuf += data[written:]
            self._selector.register(worker.to_fd, selectors.EVENT_WRITE, worker)

    def _flush(self, worker: WorkerProcess) -> None:
        try:
            written = os.write(worker.to_fd, worker.outbuf)
        except BlockingIOError:
            return
        except OSError:
            written = len(worker.outbuf)
        del worker.outbuf[:written]
        if not worker.outbuf:
            self._selector.unregister(worker.to_fd)

    def _read(self, worker: WorkerProcess) -> None:
        try:
            data = os.read(worker.from_fd, 1 << 20)
        except OSError:
            data = b""
        if not data:
            self._on_exit(worker)
            return
        for frame in worker.reader.feed(data):
            message = self._decoder.decode(frame)
            if isinstance(message, Done):
                for result in message.results:
                    self._finished(worker, result)
            else:
                worker.started.wait(5)
                worker.ready = True
                self._start_failures.pop(worker.code_version, None)

    def _finished(self, worker: WorkerProcess, result: AttemptResult) -> None:
        sent = worker.outstanding.pop(result.attempt_id, None)
        if sent is None:
            return
        del self._inflight[result.attempt_id]
        worker.runs += 1
        now = time.time()
        worker.quick = now - max(sent.sent_at, worker.last_result) < _QUICK_S
        worker.last_result = now
        left = worker.batch_left[sent.seq] - 1
        if left:
            worker.batch_left[sent.seq] = left
        else:
            del worker.batch_left[sent.seq]
        if worker.alone:
            self._end_alone(worker)
        if not worker.outstanding:
            self._release_held(worker)
        self._done.append(result)

    # -- choosing workers -----------------------------------------------------------------

    def _dispatch(self) -> None:
        if not self._queued:
            return
        for version, queue in list(self._queues.items()):
            while queue and queue[0].cancelled:
                queue.popleft()
            if not queue:
                del self._queues[version]
                continue
            self._dispatch_version(version, queue)

    def _dispatch_version(self, version: str, queue: collections.deque[_Queued]) -> None:
        own = [w for w in self._workers.values()
               if w.code_version == version and not w.retiring]
        accepting = [w for w in own if w.ready and not w.alone
                     and len(w.batch_left) < _BATCHES_AHEAD
                     and (not w.batch_left or w.quick)]
        accepting.sort(key=lambda w: len(w.batch_left))
        for worker in accepting:
            while (queue and len(worker.batch_left) < _BATCHES_AHEAD and not worker.alone
                   and not worker.retiring and (not worker.batch_left or worker.quick)):
                head = queue[0]
                if head.cancelled:
                    queue.popleft()
                    continue
                if head.alone:
                    if worker.batch_left or worker.retiring:
                        break
                    requests = head.request.requests
                    if not self._fits(worker, requests.cpu or 0.0, requests.mem or 0):
                        return
                    queue.popleft()
                    self._send_alone(worker, head, queue)
                    continue
                if not self._send_batch(worker, queue, len(own)):
                    return
        if queue:
            self._add_workers(version, queue, own)

    def _add_workers(self, version: str, queue: collections.deque[_Queued],
                     own: list[WorkerProcess]) -> None:
        starting = sum(1 for w in own if not w.ready)
        live = sum(1 for w in self._workers.values() if not w.retiring)
        wanted = min(len(queue) - starting, self._max_workers - live)
        for _ in range(wanted):
            self._spawn(version)
        if wanted <= 0 and live >= self._max_workers and not starting:
            idle = self._idle_elsewhere(version)
            if idle is not None:
                self._retire(idle)
                self._spawn(version)

    def _idle_elsewhere(self, version: str) -> WorkerProcess | None:
        """An idle worker of another code version with nothing queued: the one to retire
        when the pool is full and ``version`` needs a worker."""
        for worker in self._workers.values():
            if (worker.code_version != version and worker.ready and not worker.outstanding
                    and not worker.retiring and not self._queues.get(worker.code_version)):
                return worker
        return None

    def _fits(self, worker: WorkerProcess, cpu: float, mem: int) -> bool:
        if cpu <= 0 and mem <= 0:
            return True
        if self._held_cpu <= 0 and self._held_mem <= 0:
            return True
        cpu_after = self._held_cpu - worker.held_cpu + max(worker.held_cpu, cpu)
        mem_after = self._held_mem - worker.held_mem + max(worker.held_mem, mem)
        return cpu_after <= self._cpu_budget + 1e-9 and mem_after <= self._mem_budget

    def _hold(self, worker: WorkerProcess, cpu: float, mem: int) -> None:
        cpu, mem = max(worker.held_cpu, cpu), max(worker.held_mem, mem)
        self._held_cpu += cpu - worker.held_cpu
        self._held_mem += mem - worker.held_mem
        worker.held_cpu, worker.held_mem = cpu, mem

    def _release_held(self, worker: WorkerProcess) -> None:
        self._held_cpu -= worker.held_cpu
        self._held_mem -= worker.held_mem
        worker.held_cpu, worker.held_mem = 0.0, 0

    def _send_batch(self, worker: WorkerProcess, queue: collections.deque[_Queued],
                    n_workers: int) -> bool:
        size = min(_MAX_BATCH, max(1, math.ceil(len(queue) / max(1, n_workers))))
        if not worker.quick:
            size = 1
        chunk: list[_Queued] = []
        cpu, mem = 0.0, 0
        while queue and len(chunk) < size:
            entry = queue[0]
            if entry.cancelled:
                queue.popleft()
                continue
            if entry.alone:
                break
            requests = entry.request.requests
            if requests.cpu is not None or requests.mem is not None:
                want_cpu, want_mem = max(cpu, requests.cpu or 0.0), max(mem, requests.mem or 0)
                if not self._fits(worker, want_cpu, want_mem):
                    break
                cpu, mem = want_cpu, want_mem
            queue.popleft()
            chunk.append(entry)
        if not chunk:
            return False
        self._hold(worker, cpu, mem)
        self._send(worker, chunk)
        return True

    def _send(self, worker: WorkerProcess, chunk: list[_Queued]) -> None:
        worker.seq += 1
        seq = worker.seq
        now = time.time()
        requests = []
        queued_at = []
        for index, entry in enumerate(chunk):
            request = entry.request
            requests.append(request)
            queued_at.append(entry.queued_at)
            worker.outstanding[request.id] = Sent(request, entry.queued_at, now, seq, index,
                                                  entry.requeues)
            self._inflight[request.id] = worker
            del self._queued[request.id]
        worker.batch_left[seq] = len(chunk)
        self._write(worker, encode_frame(RunBatch(seq, requests, queued_at)))

    def _send_alone(self, worker: WorkerProcess, entry: _Queued,
                    queue: collections.deque[_Queued]) -> None:
        request = entry.request
        limits = request.limits
        group = worker.group
        limited = limits.mem is not None or limits.cpu is not None
        if limited and group is not None:
            cpu = limits.cpu
            if cpu is not None and not self._backend.enforces_cpu:
                if not self._warned_cpu:
                    self._warned_cpu = True
                    _log.warning("CPU limits are not enforced with the %s limit backend; "
                                 "task %r runs without its cpu=%s limit", self._backend.name,
                                 request.task_name, cpu)
                cpu = None
            try:
                limited_ok = self._backend.set_limits(group, limits.mem, cpu)
            except OSError as exc:
                del self._queued[request.id]
                self._done.append(outcomes.ended(
                    request, Outcome.SYSTEM_ERROR,
                    outcomes.limit_failed_message(request, self._backend.name, exc),
                    queued_at=entry.queued_at, worker_id=worker.worker_id))
                self._retire(worker)
                return
            if not limited_ok:
                if worker.runs == 0 and not worker.imports:
                    del self._queued[request.id]
                    self._done.append(outcomes.ended(
                        request, Outcome.OOM, outcomes.limit_too_low_message(request),
                        queued_at=entry.queued_at, worker_id=worker.worker_id))
                else:
                    queue.appendleft(entry)
                    self._retire(worker)
                return
        worker.alone = True
        requests = request.requests
        self._hold(worker, requests.cpu or 0.0, requests.mem or 0)
        self._send(worker, [entry])
        sampled = limits.mem is not None and self._backend.samples
        if request.timeout_s is not None or sampled:
            timeout = request.timeout_s
            self._supervisor.watch(Watch(
                worker=worker, attempt_id=request.id,
                deadline=None if timeout is None else time.monotonic() + timeout,
                timeout_message=outcomes.timeout_message(request),
                mem_limit=limits.mem if sampled else None,
                oom_message=outcomes.oom_message(request)))

    def _end_alone(self, worker: WorkerProcess) -> None:
        self._supervisor.unwatch(worker)
        group = worker.group
        if group is not None and (group.mem_limit is not None or group.cpu_limit is not None):
            self._backend.clear_limits(group)
        worker.alone = False

    def _retire(self, worker: WorkerProcess) -> None:
        worker.retiring = True
        worker.kill()

    def _spawn(self, version: str, code_paths: Sequence[str] = (),
               imports: Sequence[str] = ()) -> None:
        worker = WorkerProcess(next(self._tokens), version, self._files, self._log_dir,
                               code_paths=code_paths, imports=imports)
        self._workers[worker.token] = worker
        self._selector.register(worker.from_fd, selectors.EVENT_READ, worker)
        self._supervisor.start_worker(worker)

    # -- endings --------------------------------------------------------------------------

    def _on_exit(self, worker: WorkerProcess) -> None:
        """The worker's pipe closed: reap it, report or re-queue what it held."""
        self._selector.unregister(worker.from_fd)
        if worker.outbuf:
            self._selector.unregister(worker.to_fd)
            worker.outbuf.clear()
        self._supervisor.unwatch(worker)
        code = worker.reap()
        self._workers.pop(worker.token, None)
        self._release_held(worker)
        outstanding = list(worker.outstanding.values())
        for sent in outstanding:
            del self._inflight[sent.request.id]
        culprit, outcome, message = self._blame(worker, outstanding, code)
        if not worker.ready and not worker.retiring and not self._closed and not worker.imports:
            # A worker that died importing modules ahead says nothing about fresh workers.
            self._start_failed(worker, code)
        innocents = []
        for sent in outstanding:
            if sent.request.id == culprit:
                self._done.append(self._death_result(worker, sent, outcome, message))
            elif culprit is None and sent.requeues + 1 >= _MAX_REQUEUES:
                self._done.append(self._death_result(
                    worker, sent, Outcome.SYSTEM_ERROR.value,
                    outcomes.requeued_too_often_message(sent.request, _MAX_REQUEUES, code)))
            else:
                innocents.append(sent)
        if innocents:
            queue = self._queues.setdefault(worker.code_version, collections.deque())
            for sent in reversed(innocents):
                entry = _Queued(sent.request, sent.queued_at,
                                sent.requeues + (1 if culprit is None else 0))
                queue.appendleft(entry)
                self._queued[sent.request.id] = entry
        if worker.group is not None:
            self._backend.release(worker.group)
        worker.close_files()

    def _blame(self, worker: WorkerProcess, outstanding: list[Sent],
               code: int | None) -> tuple[str | None, str, str]:
        """Which attempt ended the worker, with what outcome and message."""
        if worker.kill_reason is not None:
            return worker.kill_reason
        if not outstanding:
            return None, "", ""
        seq, index = worker.running_now()
        for sent in outstanding:
            if sent.seq == seq and sent.index == index:
                request = sent.request
                if worker.group is not None and self._backend.oom_killed(worker.group):
                    return request.id, Outcome.OOM.value, outcomes.oom_message(request)
                return (request.id, Outcome.SYSTEM_ERROR.value,
                        outcomes.crash_message(request, worker.pid, code))
        return None, "", ""

    def _death_result(self, worker: WorkerProcess, sent: Sent, outcome: str,
                      message: str) -> AttemptResult:
        log = attempt_log_path(self._log_dir, sent.request)
        tail = worker.output_tail() if outcome == Outcome.SYSTEM_ERROR.value else ""
        saved = worker.save_output(log)
        return outcomes.ended(sent.request, Outcome(outcome), message, queued_at=sent.queued_at,
                              started_at=sent.sent_at, worker_id=worker.worker_id,
                              traceback=tail, log_uri=log if saved else "")

    def _start_failed(self, worker: WorkerProcess, code: int | None) -> None:
        version = worker.code_version
        failures = self._start_failures.get(version, 0) + 1
        self._start_failures[version] = failures
        if failures < _MAX_START_FAILURES:
            return
        self._start_failures.pop(version, None)
        said = worker.start_error or worker.output_tail().strip()
        for entry in self._queues.pop(version, collections.deque()):
            if entry.cancelled:
                continue
            del self._queued[entry.request.id]
            self._done.append(outcomes.ended(
                entry.request, Outcome.SYSTEM_ERROR,
                outcomes.start_failed_message(entry.request, _MAX_START_FAILURES, code),
                queued_at=entry.queued_at, traceback=said))
