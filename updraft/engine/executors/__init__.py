"""Executors: where the engine's attempts run (DESIGN, "Where tasks run").

`InlineExecutor` runs them in the calling process, for debugging; `ProcessExecutor` (the
default) in warm worker processes with per-attempt timeouts, memory and CPU limits and logs.
Both go through `run_attempt`, which runs one attempt of a Python task in the current
process. `kill_cgroup_leftovers` stops what is left of workers after a restart.
"""

from updraft.engine._attempt import run_attempt
from updraft.engine._cgroup import kill_cgroup_leftovers
from updraft.engine._limits import LimitsUnavailableError, format_bytes, format_resources
from updraft.engine.executors._base import Executor
from updraft.engine.executors._inline import InlineExecutor
from updraft.engine.executors._process import ProcessExecutor
from updraft.engine.executors._process_worker import WorkerInfo

__all__ = [
    "Executor",
    "InlineExecutor",
    "LimitsUnavailableError",
    "ProcessExecutor",
    "WorkerInfo",
    "format_bytes",
    "format_resources",
    "kill_cgroup_leftovers",
    "run_attempt",
]
