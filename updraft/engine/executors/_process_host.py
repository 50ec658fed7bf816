"""What the process executor needs to know about this machine, and its files on it.

CPU and memory budgets for requests, where logs go by default, and the removal of worker
files left by executors whose process died without closing them.
"""

from __future__ import annotations

import os
import shutil
import tempfile


def cpu_count() -> int:
    """CPUs this process may run on: the budget for ``requests.cpu``."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def memory_available() -> int:
    """Memory the kernel says is available now: the budget for ``requests.mem``."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 1 << 62


def default_log_dir(blob_root: str) -> str:
    """``logs`` beside a local blob root; a temporary folder for a remote one."""
    root = blob_root[len("file://"):] if blob_root.startswith("file://") else blob_root
    if "://" in root:
        return os.path.join(tempfile.gettempdir(), "updraft-logs")
    return os.path.join(os.path.dirname(os.path.abspath(root.rstrip("/"))), "logs")


#: Worker files live in ``<tmp>/updraft-workers-<pid>-<random>``.
FILES_PREFIX = "updraft-workers-"


def sweep_stale_files() -> None:
    """Remove the worker files of executors whose process died without closing them."""
    base = tempfile.gettempdir()
    try:
        names = os.listdir(base)
    except OSError:
        return
    for name in names:
        if not name.startswith(FILES_PREFIX):
            continue
        owner = name[len(FILES_PREFIX):].split("-", 1)[0]
        if owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
            shutil.rmtree(os.path.join(base, name), ignore_errors=True)
