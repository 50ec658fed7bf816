"""Workflows whose tasks fail, for the failure and retry tests.

Side effects go to a folder named by $UPDRAFT_TEST_DIR so that a test can count attempts.
"""

from __future__ import annotations

import os
import time

from updraft import Resources, task, workflow


def _mark(name: str) -> int:
    """Record one call of ``name`` and return how many calls there have been."""
    folder = os.environ["UPDRAFT_TEST_DIR"]
    path = os.path.join(folder, name)
    with open(path, "a") as f:
        f.write("x")
    with open(path) as f:
        return len(f.read())


@task(retries=2)
def flaky(x: int) -> int:
    """Fails on its first two attempts, succeeds on the third."""
    if _mark("flaky") < 3:
        raise RuntimeError("not yet")
    return x * 10


@task(retries=1)
def always_fails(x: int) -> int:
    _mark("always_fails")
    raise ValueError(f"bad value {x}")


@task
def step(x: int) -> int:
    _mark(f"step-{x}")
    time.sleep(0.3)
    return x + 1


@task(cache=True, cache_version="1")
def counted(x: int) -> int:
    _mark(f"counted-{x}")
    return x * 2


@workflow
def retried(x: int = 4) -> int:
    return flaky(x=x)


@workflow
def failing(x: int = 1) -> int:
    return always_fails(x=x)


@workflow
def cached_chain(x: int = 1) -> int:
    a = counted(x=x)
    b = counted(x=a)
    return counted(x=b)


@workflow
def slow_chain(x: int = 0) -> int:
    value = x
    for _ in range(6):
        value = step(x=value)
    return value


@task
def crash_once(x: int) -> int:
    """The worker dies on the first attempt (a system failure), then the task succeeds."""
    if _mark("crash_once") == 1:
        os._exit(1)
    return x + 1


@task(timeout=1)
def sleepy(x: int) -> int:
    time.sleep(30)
    return x


@task(limits=Resources(mem="200Mi"))
def hog(megabytes: int) -> int:
    block = bytearray(megabytes * 2**20)
    for i in range(0, len(block), 4096):
        block[i] = 1
    return len(block)


@workflow
def crashing(x: int = 1) -> int:
    return crash_once(x=x)


@workflow
def too_slow(x: int = 1) -> int:
    return sleepy(x=x)


@workflow
def too_big(megabytes: int = 500) -> int:
    return hog(megabytes=megabytes)


@task
def plus_one(x: int) -> int:
    return x + 1


@workflow
def fails_early(x: int = 1) -> int:
    return plus_one(x=plus_one(x=always_fails(x=x)))


@task
def quick_step(x: int) -> int:
    _mark(f"quick-{x}")
    time.sleep(0.1)
    return x + 1


@workflow
def chain_of_20(x: int = 0) -> int:
    value = x
    for _ in range(20):
        value = quick_step(x=value)
    return value
