"""Memory limits by sampling, for hosts where no cgroup is writable.

The executor's monitor thread asks `WatchdogBackend.memory_in_use` for each busy limited
worker about every 50 ms and kills the worker over its limit. It counts anonymous memory
plus swap (``RssAnon`` + ``VmSwap`` of ``/proc/<pid>/status``), not ``VmRSS``, which also
counts shared libraries and mapped files the task does not own. Being a sampler, it can
miss a spike shorter than its period; CPU limits are not enforced.
"""

from __future__ import annotations

from updraft.engine._limits import LimitBackend, WorkerGroup


def anonymous_memory(pid: int) -> int | None:
    """Bytes of anonymous memory plus swap used by ``pid``; None once it has exited."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            text = f.read()
    except OSError:
        return None
    total = 0
    for key in (b"RssAnon:", b"VmSwap:"):
        at = text.find(key)
        if at >= 0:
            end = text.find(b"\n", at)
            total += int(text[at + len(key) : end].split()[0]) * 1024
    return total


class WatchdogBackend(LimitBackend):
    """Records each worker's limit; the executor's monitor enforces it by sampling."""

    name = "watchdog"
    samples = True
    enforces_cpu = False

    def attach(self, pid: int, key: str) -> WorkerGroup:
        return WorkerGroup(pid=pid)

    def set_limits(self, group: WorkerGroup, mem: int | None, cpu: float | None) -> bool:
        if mem is not None:
            in_use = anonymous_memory(group.pid)
            if in_use is not None and in_use > mem:
                return False
        group.mem_limit = mem
        return True

    def clear_limits(self, group: WorkerGroup) -> None:
        group.mem_limit = None

    def oom_killed(self, group: WorkerGroup) -> bool:
        return False

    def release(self, group: WorkerGroup) -> None:
        return None

    def memory_in_use(self, pid: int) -> int | None:
        return anonymous_memory(pid)
