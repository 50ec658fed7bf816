"""Memory and CPU limits for worker processes: the backend interface and how one is chosen.

A backend puts each worker in a place where a limit can be set just before an attempt and
lifted after it, and says afterwards whether a dead worker was killed for using too much
memory. Three exist: cgroup v2, cgroup v1 (hybrid hosts) and a sampling watchdog for hosts
where no cgroup is writable. RLIMIT_AS is never used: it only raises a catchable MemoryError
and counts address space that is never touched.

This module starts no process and sends no signal; the process executor does both.
"""

from __future__ import annotations

import abc
import dataclasses
import math

from updraft.model import ResourceSpec

BACKEND_NAMES = ("auto", "v2", "v1", "watchdog")

_BINARY_UNITS = (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20),
                 ("Ki", 2**10))
_DECIMAL_UNITS = (("E", 10**18), ("P", 10**15), ("T", 10**12), ("G", 10**9), ("M", 10**6),
                  ("k", 10**3))


class LimitsUnavailableError(RuntimeError):
    """The requested limit backend cannot work on this host; the message says why."""


def format_bytes(n: int) -> str:
    """A byte count in the unit a person would have written it in.

    Exact binary units win (209715200 -> ``200Mi``), then exact decimal ones (``3G``); other
    numbers are rounded to three digits of the largest binary unit that fits (``1.18Mi``).

    >>> format_bytes(209715200)
    '200Mi'
    """
    if n <= 0:
        return str(n)
    for suffix, size in _BINARY_UNITS:
        if n % size == 0:
            return f"{n // size}{suffix}"
    for suffix, size in _DECIMAL_UNITS:
        if n % size == 0:
            return f"{n // size}{suffix}"
    for suffix, size in _BINARY_UNITS:
        if n >= size:
            return f"{n / size:.3g}{suffix}"
    return str(n)


def format_cpu(cores: float) -> str:
    """Cores as written in a `Resources`: ``2`` rather than ``2.0``, ``0.5`` as is."""
    return str(int(cores)) if float(cores).is_integer() else f"{cores:g}"


def format_resources(spec: ResourceSpec) -> str:
    """A `ResourceSpec` the way the user wrote it: ``Resources(cpu=2, mem="200Mi")``."""
    parts = []
    if spec.cpu is not None:
        parts.append(f"cpu={format_cpu(spec.cpu)}")
    if spec.mem is not None:
        parts.append(f'mem="{format_bytes(spec.mem)}"')
    if spec.gpu is not None:
        parts.append(f"gpu={spec.gpu}")
    return f"Resources({', '.join(parts)})"


@dataclasses.dataclass
class WorkerGroup:
    """Where one worker process is confined.

    ``cgroups`` are the folders of the worker's groups (empty for the watchdog); they are
    recorded so that what is left of a worker can be found and killed after a restart.
    """

    pid: int
    cgroups: tuple[str, ...] = ()
    memory_path: str = ""
    cpu_path: str = ""
    mem_limit: int | None = None
    cpu_limit: float | None = None
    oom_baseline: int = 0


class LimitBackend(abc.ABC):
    """Confines workers and sets per-attempt limits on them.

    ``samples`` is True for a backend that cannot enforce limits itself: the executor's
    monitor then calls `memory_in_use` for every busy limited worker and kills it over its
    limit.
    """

    name: str = "none"
    samples: bool = False
    enforces_cpu: bool = False

    @property
    def roots(self) -> tuple[str, ...]:
        """The folders holding every group this backend created; empty for the watchdog."""
        return ()

    @abc.abstractmethod
    def attach(self, pid: int, key: str) -> WorkerGroup:
        """Put the freshly started worker ``pid`` in a group of its own named after ``key``."""

    @abc.abstractmethod
    def set_limits(self, group: WorkerGroup, mem: int | None, cpu: float | None) -> bool:
        """Limit the worker for its next attempt. False when the memory limit cannot be set
        because the worker already uses more than it: the worker must be replaced."""

    @abc.abstractmethod
    def clear_limits(self, group: WorkerGroup) -> None:
        """Lift the limits after the attempt, so the worker can run unlimited attempts."""

    @abc.abstractmethod
    def oom_killed(self, group: WorkerGroup) -> bool:
        """Whether the kernel killed a process of the group for memory since `set_limits`."""

    @abc.abstractmethod
    def release(self, group: WorkerGroup) -> None:
        """Remove the worker's group once the worker is dead."""

    def memory_in_use(self, pid: int) -> int | None:
        """Bytes of anonymous memory and swap of ``pid``; None when it has exited."""
        return None

    def close(self) -> None:  # noqa: B027  (most backends have nothing to remove)
        """Remove whatever the backend created for this executor."""


def cpu_quota_us(cores: float, period_us: int) -> int:
    """The CFS quota giving ``cores`` CPUs over ``period_us``; at least 1 ms, as the kernel
    requires."""
    return max(1000, math.ceil(cores * period_us))


def select_backend(name: str, tag: str) -> LimitBackend:
    """The limit backend called ``name``; ``auto`` takes the first of v2, v1 and watchdog
    that works here.

    Args:
        name: one of `BACKEND_NAMES`.
        tag: a short unique word for this executor, used in group names.

    Raises:
        ValueError: ``name`` is not a backend.
        LimitsUnavailableError: the named backend cannot work on this host; the message says
            what is missing.
    """
    from updraft.engine._cgroup import CgroupV1Backend, CgroupV2Backend
    from updraft.engine._limits_watchdog import WatchdogBackend

    if name not in BACKEND_NAMES:
        raise ValueError(
            f"memory_limit_backend={name!r} is not a limit backend; expected one of "
            f"{', '.join(BACKEND_NAMES)}"
        )
    if name == "v2":
        return CgroupV2Backend(tag)
    if name == "v1":
        return CgroupV1Backend(tag)
    if name == "watchdog":
        return WatchdogBackend()
    for factory in (CgroupV2Backend, CgroupV1Backend):
        try:
            return factory(tag)
        except LimitsUnavailableError:
            continue
    return WatchdogBackend()
