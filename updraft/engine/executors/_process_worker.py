"""One worker process as the process executor sees it: its pipes, files, group and what it
was sent.

`WorkerProcess` holds the parent's side of a worker started with
``python updraft/engine/_worker_main.py``; `start` runs in the supervisor thread (see
`_supervisor`), everything else in the thread that drives the executor. It does not decide
what to run where; the executor does.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import mmap
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence

from updraft.engine._limits import LimitBackend, WorkerGroup
from updraft.engine._worker_wire import STATE, FrameReader
from updraft.model import AttemptRequest

_F_SETPIPE_SZ = 1031
_PIPE_SIZE = 1 << 20
_WORKER_SCRIPT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              "_worker_main.py")


@dataclasses.dataclass(frozen=True)
class WorkerInfo:
    """What the engine records about a worker so it can kill what is left of it later.

    Attributes:
        worker_id: ``pid:<pid>``, as on `AttemptResult.worker_id`.
        pid: the worker's process id.
        code_version: the code version the worker imported.
        cgroups: the worker's cgroup folders (empty without cgroups); pass them to
            `kill_cgroup_leftovers` after a restart.
        attempts: ids of the attempts sent to it and not yet finished.
    """

    worker_id: str
    pid: int
    code_version: str
    cgroups: tuple[str, ...]
    attempts: tuple[str, ...]


@dataclasses.dataclass
class Sent:
    """An attempt handed to a worker: where it sits in which batch, and since when."""

    request: AttemptRequest
    queued_at: float
    sent_at: float
    seq: int
    index: int
    requeues: int


def _grow_pipe(fd: int) -> None:
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, _F_SETPIPE_SZ, _PIPE_SIZE)


class WorkerProcess:
    """The parent's handle on one worker process."""

    def __init__(self, token: int, code_version: str, files_dir: str, log_dir: str, *,
                 code_paths: Sequence[str] = (), imports: Sequence[str] = ()) -> None:
        self.token = token
        self.key = f"w{token}"
        self.code_version = code_version
        self.log_dir = log_dir
        #: Modules the worker imports (``code_paths`` first on sys.path) before `Ready`.
        self.code_paths = tuple(code_paths)
        self.imports = tuple(imports)
        base = os.path.join(files_dir, self.key)
        self.state_path = base + ".state"
        self.output_path = base + ".out"
        self.scratch = base + ".scratch"
        with open(self.state_path, "wb") as f:
            f.write(STATE.pack(-1, -1))
        with open(self.state_path, "r+b") as f:
            self.state = mmap.mmap(f.fileno(), STATE.size)
        self._output_fd = os.open(self.output_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        requests_r, self.to_fd = os.pipe()
        self.from_fd, results_w = os.pipe()
        for fd in (self.to_fd, results_w):
            _grow_pipe(fd)
        os.set_blocking(self.to_fd, False)
        self._child_fds: tuple[int, ...] = (requests_r, results_w)
        self.proc: subprocess.Popen[bytes] | None = None
        self.pid = 0
        self.group: WorkerGroup | None = None
        self.start_error = ""
        self.started = threading.Event()
        self.ready = False
        self.retiring = False
        self.closed = False
        self.outbuf = bytearray()
        self.reader = FrameReader()
        self.outstanding: dict[str, Sent] = {}
        #: Attempts not yet finished per batch sequence number.
        self.batch_left: dict[int, int] = {}
        #: When (epoch seconds) the worker last finished an attempt.
        self.last_result = 0.0
        #: Whether its last attempt took under the executor's quick threshold: only such a
        #: worker gets several attempts in one batch, or a batch ahead of the one it runs.
        self.quick = False
        self.seq = 0
        self.alone = False
        self.held_cpu = 0.0
        self.held_mem = 0
        self.runs = 0
        #: (attempt id, outcome, message) when this process killed the worker on purpose.
        self.kill_reason: tuple[str, str, str] | None = None

    @property
    def worker_id(self) -> str:
        return f"pid:{self.pid}" if self.pid else f"starting:{self.key}"

    def info(self) -> WorkerInfo:
        return WorkerInfo(self.worker_id, self.pid, self.code_version,
                          self.group.cgroups if self.group else (), tuple(self.outstanding))

    def start(self, backend: LimitBackend) -> None:
        """Start the process and put it in its group. Runs in the supervisor thread, whose
        life bounds the worker's (PR_SET_PDEATHSIG follows the thread that forked)."""
        requests_r, results_w = self._child_fds
        argv = [
            sys.executable, _WORKER_SCRIPT,
            "--requests-fd", str(requests_r), "--results-fd", str(results_w),
            "--parent", str(os.getpid()), "--state", self.state_path,
            "--output", self.output_path, "--scratch", self.scratch, "--log-dir", self.log_dir,
        ]
        if self.imports:
            argv += [f"--code-path={path}" for path in self.code_paths]
            argv += [f"--import={name}" for name in self.imports]
        try:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=self._output_fd, stderr=self._output_fd,
                pass_fds=self._child_fds, close_fds=True)
            self.pid = self.proc.pid
            self.group = backend.attach(self.pid, self.key)
        except Exception as exc:
            self.start_error = f"{type(exc).__name__}: {exc}"
            if self.proc is not None:
                with contextlib.suppress(ProcessLookupError):
                    self.proc.kill()
        finally:
            for fd in self._child_fds:
                os.close(fd)
            self._child_fds = ()
            self.started.set()

    def kill(self) -> None:
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def running_now(self) -> tuple[int, int]:
        """(batch sequence, index) of the attempt the worker runs now; index -1 between."""
        seq, index = STATE.unpack_from(self.state, 0)
        return int(seq), int(index)

    def output_tail(self, limit: int = 4000) -> str:
        """The last ``limit`` characters the worker printed since its last attempt ended."""
        try:
            with open(self.output_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                size = f.tell()
                f.seek(max(0, size - limit))
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def save_output(self, path: str) -> bool:
        """Copy what the worker printed since its last attempt ended into ``path``."""
        try:
            if os.path.getsize(self.output_path) == 0:
                return False
            os.makedirs(os.path.dirname(path), exist_ok=True)
            shutil.copyfile(self.output_path, path)
            return True
        except OSError:
            return False

    def reap(self) -> int | None:
        """Wait for the dead process; its return code (negative: killed by that signal)."""
        if self.proc is None:
            return None
        try:
            return self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.proc.wait()

    def close_files(self) -> None:
        """Release the parent's descriptors and files of a dead worker."""
        if self.closed:
            return
        self.closed = True
        for fd in (self.to_fd, self.from_fd, self._output_fd, *self._child_fds):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(Exception):
            self.state.close()
        for path in (self.state_path, self.output_path):
            with contextlib.suppress(OSError):
                os.unlink(path)
        shutil.rmtree(self.scratch, ignore_errors=True)
