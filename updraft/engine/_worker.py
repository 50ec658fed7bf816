"""A warm worker of the process executor, started as ``python _worker_main.py ...``.

It imports the engine's attempt runner once (and, when the executor asks, the modules its
first attempts will need), says `Ready`, then runs the batches of attempts it is sent, one
attempt after another, and answers with their results. The executor that started it passes
its pipes, a small shared state file (which attempt is running, so a crash is blamed on the
right one), a scratch folder and the log folder.

File descriptors 1 and 2 point at a scratch file of this worker; after each attempt whatever
landed there is moved to the attempt's own log and the file is emptied, so an attempt that
prints nothing costs one ``fstat``. The worker dies with its parent (PR_SET_PDEATHSIG) and
exits when its request pipe closes.

Everything about choosing, limiting and killing workers lives in the executor, not here.
"""

from __future__ import annotations

import argparse
import ctypes
import importlib
import logging
import mmap
import os
import signal
import sys
import time
from collections.abc import Sequence
from typing import Any

import msgspec

from updraft.engine._attempt import put_code_paths, run_attempt, set_scratch_root
from updraft.engine._worker_wire import (
    STATE,
    Done,
    FrameReader,
    Ready,
    RunBatch,
    Stop,
    ToWorker,
    attempt_log_path,
    encode_frame,
)
from updraft.model import AttemptRequest, AttemptResult, BlobIO

_PR_SET_PDEATHSIG = 1
#: Results are sent at the latest this long after the first unsent one finished.
_FLUSH_AFTER_S = 0.005


_loaded: dict[str, Any] = {}


def preload() -> None:
    """Import, once and before the first attempt, what attempts need."""
    if _loaded:
        return
    from updraft.store._blobs import BlobStore

    _loaded["BlobStore"] = BlobStore


def import_ahead(code_paths: Sequence[str], modules: Sequence[str]) -> None:
    """Import the modules the first attempts will need, before saying `Ready`, so the import
    overlaps whatever the parent does meanwhile instead of delaying the first attempt.

    ``code_paths`` go to the front of ``sys.path`` as `run_attempt` puts them for an entry
    point. A module that fails to import is skipped: it is only a head start, and the attempt
    that needs the module imports it again and reports the failure with its own message.
    """
    if not modules:
        return
    put_code_paths(code_paths)
    for name in modules:
        try:
            importlib.import_module(name)
        except BaseException:  # the attempt that needs it reports the failure
            continue


def die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when its parent exits; exit now if it already has."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(0)


class _Worker:
    def __init__(self, args: argparse.Namespace) -> None:
        self.requests_fd: int = args.requests_fd
        self.results_fd: int = args.results_fd
        self.log_dir: str = args.log_dir
        self.worker_id = f"pid:{os.getpid()}"
        with open(args.state, "r+b") as f:
            self.state = mmap.mmap(f.fileno(), STATE.size)
        self.output = os.open(args.output, os.O_RDONLY)
        self.blob_stores: dict[str, BlobIO] = {}
        # Downloads live in the worker's scratch folder, which the executor removes with it.
        self.downloads = os.path.join(args.scratch, "downloads")
        self.log_dirs: set[str] = set()
        self.libc = ctypes.CDLL(None)
        self.decoder = msgspec.msgpack.Decoder(ToWorker)

    def send(self, message: Ready | Done) -> None:
        view = memoryview(encode_frame(message))
        while view:
            written = os.write(self.results_fd, view)
            view = view[written:]

    def blob_io(self, root: str) -> BlobIO:
        found = self.blob_stores.get(root)
        if found is None:
            found = self.blob_stores[root] = _loaded["BlobStore"](
                root, scratch_dir=self.downloads
            )
        return found

    def collect_log(self, request: AttemptRequest, result: AttemptResult) -> AttemptResult:
        """Move what the attempt printed into its log; note the log on the result."""
        sys.stdout.flush()
        sys.stderr.flush()
        self.libc.fflush(None)
        size = os.fstat(1).st_size
        if not size:
            return result
        path = attempt_log_path(self.log_dir, request)
        folder = os.path.dirname(path)
        if folder not in self.log_dirs:
            os.makedirs(folder, exist_ok=True)
            self.log_dirs.add(folder)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            offset = 0
            while offset < size:
                sent = os.sendfile(fd, self.output, offset, size - offset)
                if sent == 0:
                    break
                offset += sent
        finally:
            os.close(fd)
        os.ftruncate(1, 0)
        return msgspec.structs.replace(result, log_uri=path)

    def run_batch(self, batch: RunBatch) -> None:
        pending: list[AttemptResult] = []
        first_unsent = 0.0
        for index, request in enumerate(batch.attempts):
            STATE.pack_into(self.state, 0, batch.seq, index)
            result = run_attempt(request, self.blob_io(request.blob_root),
                                 queued_at=batch.queued_at[index], worker_id=self.worker_id)
            STATE.pack_into(self.state, 0, batch.seq, -1)
            pending.append(self.collect_log(request, result))
            now = time.monotonic()
            if len(pending) == 1:
                first_unsent = now
            elif now - first_unsent > _FLUSH_AFTER_S:
                self.send(Done(pending))
                pending = []
        if pending:
            self.send(Done(pending))

    def serve(self) -> int:
        reader = FrameReader()
        self.send(Ready(os.getpid()))
        while True:
            data = os.read(self.requests_fd, 1 << 20)
            if not data:
                return 0
            for frame in reader.feed(data):
                message = self.decoder.decode(frame)
                if isinstance(message, Stop):
                    return 0
                self.run_batch(message)


def _task_logging() -> None:
    """Records of the task's logger go to stderr, hence to the attempt's log."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("updraft.task")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python updraft/engine/_worker_main.py")
    parser.add_argument("--requests-fd", type=int, required=True)
    parser.add_argument("--results-fd", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--scratch", required=True)
    parser.add_argument("--log-dir", required=True)
    parser.add_argument("--code-path", action="append", default=[])
    parser.add_argument("--import", dest="imports", action="append", default=[])
    args = parser.parse_args(argv)
    die_with_parent(args.parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for fd in (args.requests_fd, args.results_fd):
        os.set_inheritable(fd, False)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(line_buffering=True)
    _task_logging()
    set_scratch_root(args.scratch)
    preload()
    import_ahead(args.code_path, args.imports)
    return _Worker(args).serve()


if __name__ == "__main__":
    sys.exit(main())
