"""Dynamic tasks: bodies that decide from real values which tasks to call."""

from __future__ import annotations

from updraft import File, conditional, dynamic, map_task, task, workflow


@task
def square(x: int) -> int:
    return x * x


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@task
def label(text: str, n: int) -> str:
    return f"{text}:{n}"


@task
def count_lines(data: File) -> int:
    with open(data.path) as f:
        return sum(1 for _ in f)


@dynamic
def sum_of_squares(n: int) -> int:
    """One square node per number below n, then their total."""
    return total(xs=[square(x=i) for i in range(n)])


@dynamic
def describe(n: int) -> str:
    """A plain ``if`` over the real value picks the call."""
    if n % 2 == 0:
        return label(text="even", n=n)
    return label(text="odd", n=n)


@dynamic
def doubled(n: int) -> int:
    """Returns a plain value: no node at all."""
    return n * 2


@dynamic
def nested(n: int) -> int:
    """Calls another dynamic task, which expands in turn when it runs."""
    return sum_of_squares(n=n + 1)


@dynamic
def mapped_squares(n: int) -> list[int]:
    return map_task(square)(x=list(range(n)))


@dynamic
def branchy(n: int) -> int:
    """A conditional in a dynamic body, over a node output."""
    s = square(x=n)
    return conditional("big").if_(s > 10).then(total(xs=[s, s])).else_().then(square(x=s))


@dynamic
def lines(files: list[File]) -> int:
    """Files among the inputs are passed on as constants."""
    return total(xs=[count_lines(data=f) for f in files])


@workflow
def squares_total(n: int = 3) -> int:
    return sum_of_squares(n=n)


@workflow
def described(n: int = 4) -> str:
    return describe(n=n)
