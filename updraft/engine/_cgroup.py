"""Limits through Linux control groups: v2 where the host has a v2 memory controller, v1
where it is hybrid.

Each executor makes one group under the process's own group (``updraft-<pid>-<hex>``) and
one child per worker inside it. Memory charges do not move between v1 groups, so a worker
keeps its group for life and the limit is changed around each attempt; a limit below what
the worker already holds is refused and the worker is recycled instead.

This module only reads and writes cgroup files and kills processes left in groups; it does
not start workers.
"""

from __future__ import annotations

import abc
import contextlib
import errno
import os
import signal
import time

from updraft.engine._limits import (
    LimitBackend,
    LimitsUnavailableError,
    WorkerGroup,
    cpu_quota_us,
)

_PREFIX = "updraft-"


def _read(path: str) -> str:
    with open(path) as f:
        return f.read()


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _unescape(field: str) -> str:
    """mountinfo writes spaces and other odd characters as octal escapes (``\\040``)."""
    if "\\" not in field:
        return field
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1 : i + 4].isdigit() and i + 4 <= len(field):
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def _mounts() -> list[tuple[str, str, str, set[str]]]:
    """(root, mount point, fs type, super options) of every cgroup mount we can see."""
    found = []
    try:
        text = _read("/proc/self/mountinfo")
    except OSError:
        return []
    for line in text.splitlines():
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 3 or not tail[0].startswith("cgroup"):
            continue
        found.append((_unescape(fields[3]), _unescape(fields[4]), tail[0], set(tail[2].split(","))))
    return found


def _own_paths() -> dict[str, str]:
    """This process's group per controller (``""`` for the v2 hierarchy)."""
    paths: dict[str, str] = {}
    try:
        text = _read("/proc/self/cgroup")
    except OSError:
        return paths
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        if parts[1] == "":
            paths[""] = parts[2]
        for controller in parts[1].split(","):
            if controller:
                paths[controller] = parts[2]
    return paths


def _join(mount_point: str, mount_root: str, own: str) -> str | None:
    """The folder of group ``own`` under a mount whose root is ``mount_root``."""
    if mount_root != "/" and not (own == mount_root or own.startswith(mount_root + "/")):
        return None
    relative = (own[len(mount_root):] if mount_root != "/" else own).strip("/")
    return os.path.join(mount_point, relative) if relative else mount_point


def v1_own_dir(controller: str) -> str | None:
    """The folder of this process's v1 group for ``controller``; None when not mounted."""
    own = _own_paths().get(controller)
    if own is None:
        return None
    for root, point, fstype, options in _mounts():
        if fstype == "cgroup" and controller in options:
            path = _join(point, root, own)
            if path is not None and os.path.isdir(path):
                return path
    return None


def v2_own_dir() -> str | None:
    """The folder of this process's group in the v2 hierarchy; None when there is none."""
    own = _own_paths().get("")
    if own is None:
        return None
    for root, point, fstype, _ in _mounts():
        if fstype == "cgroup2":
            path = _join(point, root, own)
            if path is not None and os.path.isdir(path):
                return path
    return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_cgroup_leftovers(paths: list[str] | tuple[str, ...]) -> None:
    """Kill every process left in the given groups (and their children) and remove them.

    Used when closing an executor and by the engine after a restart, with the group paths it
    recorded for an attempt (`WorkerInfo.cgroups`). Paths that no longer exist are skipped.
    """
    for path in paths:
        if not os.path.isdir(path):
            continue
        for folder, _, _ in sorted(os.walk(path), key=lambda w: -len(w[0])):
            _empty_and_remove(folder)


def _empty_and_remove(folder: str) -> None:
    deadline = time.monotonic() + 5.0
    while True:
        try:
            pids = [int(p) for p in _read(os.path.join(folder, "cgroup.procs")).split()]
        except FileNotFoundError:
            return
        except OSError:
            pids = []
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        try:
            os.rmdir(folder)
            return
        except FileNotFoundError:
            return
        except OSError as exc:
            if exc.errno != errno.EBUSY or time.monotonic() > deadline:
                return
        time.sleep(0.01)


def _sweep_stale(parent: str) -> None:
    """Remove groups left by executors whose process is gone (a crash skips `close`)."""
    try:
        names = os.listdir(parent)
    except OSError:
        return
    for name in names:
        if not name.startswith(_PREFIX):
            continue
        owner = name[len(_PREFIX):].split("-", 1)[0]
        if owner.isdigit() and int(owner) != os.getpid() and not _pid_alive(int(owner)):
            kill_cgroup_leftovers([os.path.join(parent, name)])


def _make_root(parent: str, tag: str, what: str) -> str:
    root = os.path.join(parent, _PREFIX + tag)
    try:
        os.mkdir(root)
    except FileExistsError:
        pass
    except OSError as exc:
        raise LimitsUnavailableError(
            f"cannot create a {what} group under {parent} ({exc.strerror}); run as root, "
            "or delegate that group to this user, or pass memory_limit_backend='watchdog'"
        ) from exc
    return root


def _counter(text: str, key: str) -> int | None:
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name == key:
            return int(value)
    return None


class _CgroupBackend(LimitBackend):
    """What both cgroup versions share: OOM kills are counted by the kernel per group, and a
    group is released by killing what is left in it and removing it."""

    @abc.abstractmethod
    def _oom_count(self, group: WorkerGroup) -> int:
        """How many times the kernel has OOM-killed a process of ``group`` so far."""

    def oom_killed(self, group: WorkerGroup) -> bool:
        return group.mem_limit is not None and self._oom_count(group) > group.oom_baseline

    def release(self, group: WorkerGroup) -> None:
        kill_cgroup_leftovers(group.cgroups)

    def close(self) -> None:
        kill_cgroup_leftovers(self.roots)


class CgroupV1Backend(_CgroupBackend):
    """Limits through the v1 ``memory`` and ``cpu`` controllers (a hybrid host)."""

    name = "v1"

    def __init__(self, tag: str) -> None:
        memory_dir = v1_own_dir("memory")
        if memory_dir is None:
            raise LimitsUnavailableError(
                "no cgroup v1 memory controller is mounted for this process "
                "(see /proc/self/mountinfo and /proc/self/cgroup)"
            )
        _sweep_stale(memory_dir)
        self._memory_root = _make_root(memory_dir, tag, "cgroup v1 memory")
        self._memsw = os.path.exists(os.path.join(self._memory_root, "memory.memsw.limit_in_bytes"))
        self._cpu_root = ""
        self._cpu_period = 100_000
        cpu_dir = v1_own_dir("cpu")
        if cpu_dir is not None:
            _sweep_stale(cpu_dir)
            try:
                self._cpu_root = _make_root(cpu_dir, tag, "cgroup v1 cpu")
                self._cpu_period = int(_read(os.path.join(self._cpu_root, "cpu.cfs_period_us")))
            except (LimitsUnavailableError, OSError, ValueError):
                self._cpu_root = ""
        self.enforces_cpu = bool(self._cpu_root)

    @property
    def roots(self) -> tuple[str, ...]:
        return tuple(r for r in (self._memory_root, self._cpu_root) if r)

    def attach(self, pid: int, key: str) -> WorkerGroup:
        group = WorkerGroup(pid=pid)
        memory_path = os.path.join(self._memory_root, key)
        os.makedirs(memory_path, exist_ok=True)
        group.memory_path = memory_path
        paths = [memory_path]
        if self._cpu_root:
            cpu_path = os.path.join(self._cpu_root, key)
            os.makedirs(cpu_path, exist_ok=True)
            group.cpu_path = cpu_path
            paths.append(cpu_path)
        group.cgroups = tuple(paths)
        for path in paths:
            with contextlib.suppress(ProcessLookupError):
                _write(os.path.join(path, "cgroup.procs"), str(pid))
        return group

    def _oom_count(self, group: WorkerGroup) -> int:
        try:
            found = _counter(_read(os.path.join(group.memory_path, "memory.oom_control")),
                             "oom_kill")
            if found is not None:
                return found
            return int(_read(os.path.join(group.memory_path, "memory.failcnt")))
        except (OSError, ValueError):
            return 0

    def set_limits(self, group: WorkerGroup, mem: int | None, cpu: float | None) -> bool:
        if mem is not None:
            group.oom_baseline = self._oom_count(group)
            try:
                _write(os.path.join(group.memory_path, "memory.limit_in_bytes"), str(mem))
                if self._memsw:
                    _write(os.path.join(group.memory_path, "memory.memsw.limit_in_bytes"),
                           str(mem))
            except OSError as exc:
                if exc.errno == errno.EBUSY:
                    self.clear_limits(group)
                    return False
                raise
            group.mem_limit = mem
        if cpu is not None and group.cpu_path:
            quota = cpu_quota_us(cpu, self._cpu_period)
            _write(os.path.join(group.cpu_path, "cpu.cfs_quota_us"), str(quota))
            group.cpu_limit = cpu
        return True

    def clear_limits(self, group: WorkerGroup) -> None:
        with contextlib.suppress(OSError):
            if self._memsw:
                _write(os.path.join(group.memory_path, "memory.memsw.limit_in_bytes"), "-1")
            _write(os.path.join(group.memory_path, "memory.limit_in_bytes"), "-1")
        if group.cpu_path:
            with contextlib.suppress(OSError):
                _write(os.path.join(group.cpu_path, "cpu.cfs_quota_us"), "-1")
        group.mem_limit = None
        group.cpu_limit = None


class CgroupV2Backend(_CgroupBackend):
    """Limits through the unified (v2) hierarchy: ``memory.max``, ``memory.swap.max``,
    ``cpu.max``; ``memory.events`` counts OOM kills.

    v2 lets a group hand controllers to its children only when it holds no process itself.
    When this process's own group holds processes, this process moves itself into a leaf
    group ``updraft-main`` beside the workers' groups, the usual arrangement for a delegated
    group.
    """

    name = "v2"

    def __init__(self, tag: str) -> None:
        own = v2_own_dir()
        if own is None:
            raise LimitsUnavailableError("this process is in no cgroup v2 hierarchy")
        if os.path.basename(own) == _PREFIX + "main":
            own = os.path.dirname(own)
        try:
            available = _read(os.path.join(own, "cgroup.controllers")).split()
        except OSError as exc:
            raise LimitsUnavailableError(f"cannot read {own}/cgroup.controllers: {exc}") from exc
        if "memory" not in available:
            raise LimitsUnavailableError(
                f"the cgroup v2 group {own} has no memory controller (its cgroup.controllers "
                f"lists {' '.join(available) or 'nothing'}); the host is cgroup v1 or hybrid"
            )
        wanted: list[str] = [c for c in ("memory", "cpu") if c in available]
        _sweep_stale(own)
        self._enable(own, wanted, allow_move=True)
        self._root = _make_root(own, tag, "cgroup v2")
        self._enable(self._root, wanted, allow_move=False)
        self.enforces_cpu = "cpu" in wanted
        self._swap = False

    def _enable(self, folder: str, controllers: list[str], allow_move: bool) -> None:
        control = os.path.join(folder, "cgroup.subtree_control")
        for controller in controllers:
            try:
                if controller in _read(control).split():
                    continue
                _write(control, "+" + controller)
            except OSError as exc:
                if exc.errno == errno.EBUSY and allow_move:
                    self._move_self(folder)
                    try:
                        _write(control, "+" + controller)
                        continue
                    except OSError as again:
                        exc = again
                raise LimitsUnavailableError(
                    f"cannot enable the {controller} controller for the children of {folder} "
                    f"({exc.strerror}); delegate a cgroup v2 subtree to this process or pass "
                    "memory_limit_backend='v1' or 'watchdog'"
                ) from exc

    @staticmethod
    def _move_self(folder: str) -> None:
        leaf = os.path.join(folder, _PREFIX + "main")
        os.makedirs(leaf, exist_ok=True)
        _write(os.path.join(leaf, "cgroup.procs"), str(os.getpid()))

    @property
    def roots(self) -> tuple[str, ...]:
        return (self._root,)

    def attach(self, pid: int, key: str) -> WorkerGroup:
        path = os.path.join(self._root, key)
        os.makedirs(path, exist_ok=True)
        with contextlib.suppress(OSError):
            _write(os.path.join(path, "memory.oom.group"), "1")
        with contextlib.suppress(ProcessLookupError):
            _write(os.path.join(path, "cgroup.procs"), str(pid))
        self._swap = os.path.exists(os.path.join(path, "memory.swap.max"))
        return WorkerGroup(pid=pid, cgroups=(path,), memory_path=path,
                           cpu_path=path if self.enforces_cpu else "")

    def _oom_count(self, group: WorkerGroup) -> int:
        try:
            text = _read(os.path.join(group.memory_path, "memory.events"))
        except OSError:
            return 0
        return _counter(text, "oom_kill") or 0

    def set_limits(self, group: WorkerGroup, mem: int | None, cpu: float | None) -> bool:
        if mem is not None:
            try:
                current = int(_read(os.path.join(group.memory_path, "memory.current")))
            except (OSError, ValueError):
                current = 0
            if current > mem:
                return False
            group.oom_baseline = self._oom_count(group)
            _write(os.path.join(group.memory_path, "memory.max"), str(mem))
            if self._swap:
                with contextlib.suppress(OSError):
                    _write(os.path.join(group.memory_path, "memory.swap.max"), "0")
            group.mem_limit = mem
        if cpu is not None and group.cpu_path:
            _write(os.path.join(group.cpu_path, "cpu.max"), f"{cpu_quota_us(cpu, 100_000)} 100000")
            group.cpu_limit = cpu
        return True

    def clear_limits(self, group: WorkerGroup) -> None:
        with contextlib.suppress(OSError):
            _write(os.path.join(group.memory_path, "memory.max"), "max")
            if self._swap:
                _write(os.path.join(group.memory_path, "memory.swap.max"), "max")
        if group.cpu_path:
            with contextlib.suppress(OSError):
                _write(os.path.join(group.cpu_path, "cpu.max"), "max 100000")
        group.mem_limit = None
        group.cpu_limit = None
