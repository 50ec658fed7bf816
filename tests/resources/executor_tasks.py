"""Plain task functions for the executor tests, imported by workers through code paths."""

from __future__ import annotations

import os
import sys
import time

from updraft._runtime import current_task_context


def add_one(x: int) -> int:
    return x + 1


def shout(text: str) -> str:
    return text.upper() + "!"


def doubled(values: list[int]) -> list[int]:
    return [v * 2 for v in values]


def divide(a: int, b: int = 2) -> float:
    return a / b


def check_positive(x: int) -> int:
    if x <= 0:
        raise ValueError(f"x must be positive, got {x}")
    return x


def hold_memory(mb: int, seconds: float = 3.0) -> int:
    """Allocate ``mb`` MiB, touch every page, and keep it for ``seconds``."""
    block = bytearray(mb * 2**20)
    for i in range(0, len(block), 4096):
        block[i] = 1
    time.sleep(seconds)
    return len(block)


def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def exit_hard(code: int) -> int:
    print("about to leave", flush=True)
    os._exit(code)


def chatty(n: int) -> int:
    for i in range(n):
        print(f"line {i} on stdout")
    print("a warning on stderr", file=sys.stderr)
    return n


def read_env(name: str) -> str:
    return os.environ.get(name, "<unset>")


def where_am_i(tag: str) -> str:
    """Writes into its scratch folder and returns it, with the attempt it belongs to."""
    context = current_task_context()
    assert context is not None
    with open(os.path.join(context.working_directory, "scratch.txt"), "w") as f:
        f.write(tag)
    return f"{context.node_id}:{context.attempt}:{context.working_directory}"


def worker_pid(x: int) -> int:
    return os.getpid()


class Wrapped:
    """Stands in for the SDK's task object: the function is one ``__wrapped__`` away."""

    def __init__(self, func: object) -> None:
        self.__wrapped__ = func

    def __call__(self, *args: object, **kwargs: object) -> object:
        raise AssertionError("the engine must call the plain function")


wrapped_add_one = Wrapped(add_one)


_kept: list[bytearray] = []


def keep_memory(mb: int) -> int:
    """Allocate ``mb`` MiB that stay allocated after the task returns (a leak)."""
    block = bytearray(mb * 2**20)
    for i in range(0, len(block), 4096):
        block[i] = 1
    _kept.append(block)
    return os.getpid()


def burn(seconds: float) -> float:
    """Spin for ``seconds`` of wall time; return the CPU seconds this process got."""
    start_wall, start_cpu = time.monotonic(), time.process_time()
    while time.monotonic() - start_wall < seconds:
        pass
    return time.process_time() - start_cpu


def crash(x: int) -> int:
    """Die the way a fault in native code does."""
    import signal

    os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(10)
    return x


def ask_too_much(x: int) -> int:
    raise MemoryError("could not allocate 1 TiB")


def wrong_output(x: int) -> int:
    return "not a number"  # type: ignore[return-value]


def modules_loaded(names: list[str]) -> list[str]:
    return [name for name in names if name in sys.modules]


def store_is_complete(x: int) -> bool:
    """A task importing updraft.store in a worker gets the whole package."""
    import updraft.store

    return hasattr(updraft.store, "BlobStore") and hasattr(updraft.store, "SqlMetadataStore")
