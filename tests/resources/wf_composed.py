"""Workflows built from maps, dynamic tasks, conditionals, subworkflows and launch plans,
for the tests that run them end to end.

Side effects go to the folder named by $UPDRAFT_TEST_DIR, so that a test can count calls.
"""

from __future__ import annotations

import functools
import os

from updraft import LaunchPlan, Resources, conditional, dynamic, map_task, task, workflow


def _mark(name: str) -> int:
    folder = os.environ.get("UPDRAFT_TEST_DIR")
    if not folder:
        return 0
    path = os.path.join(folder, name)
    with open(path, "a") as f:
        f.write("x")
    with open(path) as f:
        return len(f.read())


@task
def square(x: int) -> int:
    return x * x


@task
def scale(x: int, factor: int) -> int:
    return x * factor


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@task(cache=True, cache_version="1")
def checked(x: int) -> int:
    """Fails for negative numbers; counts its calls per element."""
    _mark(f"checked-{x}")
    if x < 0 and not os.path.exists(os.path.join(os.environ["UPDRAFT_TEST_DIR"], "fixed")):
        raise ValueError(f"negative input {x}")
    return x + 1


@task(retries=1)
def fragile(x: int) -> int:
    if x % 3 == 0:
        raise ValueError(f"{x} is a multiple of 3")
    return x


@workflow
def squares(xs: list[int]) -> int:
    return total(xs=map_task(square)(x=xs))


@workflow
def scaled(xs: list[int], factor: int = 3) -> list[int]:
    return map_task(functools.partial(scale, factor=factor), concurrency=2)(x=xs)


@workflow
def zipped(xs: list[int], factors: list[int]) -> list[int]:
    return map_task(scale)(x=xs, factor=factors)


@workflow
def checked_all(xs: list[int]) -> list[int]:
    return map_task(checked)(x=xs)


@workflow
def tolerant(xs: list[int]) -> list[int | None]:
    return map_task(fragile, min_success_ratio=0.5)(x=xs)


@dynamic
def fan_out(n: int) -> list[int]:
    """Builds one square node per number below ``n``: a graph known only at run time."""
    results = []
    for i in range(n):
        if i % 2 == 0:
            results.append(square(x=i))
        else:
            results.append(scale(x=i, factor=10))
    return results


@workflow
def dynamic_sum(n: int = 4) -> int:
    return total(xs=fan_out(n=n))


@dynamic
def chain(n: int) -> int:
    value = square(x=1)
    for _ in range(n - 1):
        value = scale(x=value, factor=1)
    return value


@workflow
def dynamic_chain(n: int = 10) -> int:
    return chain(n=n)


@task
def double(x: int) -> int:
    return 2 * x


@task
def negate(x: int) -> int:
    return -x


@task
def coin(x: float) -> float:
    return x


@workflow
def pick(x: float) -> int:
    value = coin(x=x)
    return (
        conditional("sign")
        .if_(value > 0.5)
        .then(double(x=1))
        .elif_((value <= 0.5) & (value > 0.0))
        .then(negate(x=1))
        .else_()
        .then(square(x=7))
    )


@workflow
def strict_pick(x: float) -> int:
    return (
        conditional("strict")
        .if_(coin(x=x) > 0.0)
        .then(double(x=3))
        .else_()
        .fail("x must be positive")
    )


@workflow
def inner(a: int, b: int = 2) -> int:
    return scale(x=square(x=a), factor=b)


@workflow
def outer(a: int = 3) -> int:
    first = inner(a=a)
    return inner(a=first, b=1)


triple_plan = LaunchPlan.get_or_create(inner, name="triple", fixed_inputs={"b": 3})


@workflow
def with_plan(a: int = 2) -> int:
    return double(x=triple_plan(a=a))


@task
def slow_ok(x: int) -> int:
    _mark(f"slow_ok-{x}")
    return x


@task
def broken(x: int) -> int:
    raise RuntimeError(f"broken on {x}")


@task
def report(error: str) -> None:
    folder = os.environ["UPDRAFT_TEST_DIR"]
    with open(os.path.join(folder, "report"), "w") as f:
        f.write(error)


@workflow(failure_policy="fail_after_executable_nodes_complete", on_failure=report)
def keeps_going(x: int = 1) -> int:
    bad = broken(x=x)
    after_bad = double(x=bad)
    good = slow_ok(x=x)
    return total(xs=[after_bad, double(x=good)])


@workflow(on_failure=report)
def stops_at_once(x: int = 1) -> int:
    return double(x=broken(x=x))


@task
def first_step() -> None:
    _mark("order")


@task
def second_step() -> int:
    return _mark("order")


@workflow
def ordered() -> int:
    a = first_step()
    b = second_step()
    a >> b
    return b


@workflow
def overridden(x: int = 2) -> int:
    return square(x=x).with_overrides(
        name="squared", retries=2, limits=Resources(mem="300Mi"), cache=True
    )


@task
def nap(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


@workflow
def napping(seconds: float) -> float:
    return nap(seconds=seconds)


nap_plan = LaunchPlan.get_or_create(napping, name="nap_plan")


@workflow
def with_slow_plan(seconds: float = 30.0) -> float:
    return nap_plan(seconds=seconds)


@dynamic(cache=True, cache_version="1")
def cached_fan_out(n: int) -> list[int]:
    _mark(f"cached_fan_out-{n}")
    return [square(x=i) for i in range(n)]


@workflow
def cached_dynamic(n: int = 3) -> list[int]:
    return cached_fan_out(n=n)


@task
def guarded(x: int) -> int:
    """Fails for negative numbers until the test creates the file "fixed"."""
    _mark(f"guarded-{x}")
    if x < 0 and not os.path.exists(os.path.join(os.environ["UPDRAFT_TEST_DIR"], "fixed")):
        raise ValueError(f"negative input {x}")
    return x


@workflow
def guarded_pair(a: int, b: int) -> int:
    return scale(x=guarded(x=a), factor=guarded(x=b))


@workflow
def nested_guarded(a: int = 2, b: int = -1) -> int:
    return double(x=guarded_pair(a=a, b=b))


@task
def slow_element(x: int) -> int:
    import time

    _mark(f"slow_element-{x}")
    time.sleep(0.1)
    return x * 10


@workflow
def slow_map(xs: list[int]) -> list[int]:
    return map_task(slow_element, concurrency=4)(x=xs)


@task
def pid_after(x: int) -> int:
    import time

    time.sleep(0.2)
    return os.getpid()


@workflow
def pids(xs: list[int]) -> list[int]:
    return map_task(pid_after)(x=xs)


@task(timeout=1)
def sometimes_slow(x: int) -> int:
    import time

    if x == 3:
        time.sleep(30)
    return x


@workflow
def timed_elements(xs: list[int]) -> list[int | None]:
    return map_task(sometimes_slow, min_success_ratio=0.5)(x=xs)


@task
def first_seven(x: int) -> int:
    if x >= 7:
        raise ValueError(f"{x} is too big")
    return x


@workflow
def seven_percent(xs: list[int]) -> list[int | None]:
    return map_task(first_seven, min_success_ratio=0.07)(x=xs)


@workflow
def guarded_single(x: int) -> int:
    return guarded(x=x)


guarded_plan = LaunchPlan.get_or_create(guarded_single, name="guarded_plan")


@workflow
def with_guarded_plan(x: int = -4) -> int:
    return double(x=guarded_plan(x=x))


@workflow
def failing_handler(error: str) -> None:
    broken(x=99)


@workflow(on_failure=failing_handler)
def handler_fails_too(x: int = 1) -> int:
    return broken(x=x)


@task
def chatter(n: int) -> int:
    import time

    print(f"started on {n}")
    time.sleep(30)
    return n


@workflow
def chatty(n: int = 3) -> int:
    return chatter(n=n)
