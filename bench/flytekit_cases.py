"""Time one benchmark case with flytekit's local execution and print the times as JSON.

It runs inside the flytekit environment (``bench/_flytekit_env.py`` builds it), one case per
process, and is driven by ``bench/_flytekit_side.py``, which also gives it a scratch home and
temporary folder (flytekit leaves sandbox folders there). By hand::

    bench/.flytekit-venv/bin/python bench/flytekit_cases.py chain 5

The last line of stdout is one JSON object: ``case``, ``repeats``, ``times`` (seconds of
each timed repeat), ``units`` (how many tasks, nodes or imports one repeat covers, so that
``time / units`` is the per-task figure), ``setup_s`` (building and compiling the workflow,
not timed) and ``result`` (what the workflow returned, to show the work was done).

Cases (the updraft side must time the same things):

- ``chain``: one workflow call running 1,000 trivial tasks ``inc(x) = x + 1``, each fed by
  the one before; per-task figure = time / 1,000.
- ``fanout``: one workflow call running 1,000 independent ``inc(x=i)`` whose results form the
  workflow's ``list[int]`` output; per-task figure = time / 1,000.
- ``cached_rerun``: a chain of 100 cached tasks run once untimed to fill the cache, then
  timed reruns; per-node figure = time / 100.
- ``map``, ``map_1k``: one workflow call running flytekit's ``map_task(inc)`` over a list
  input of 10,000 (1,000) numbers, the workflow's only node; per-element figure =
  time / elements (``elements_per_s`` is the same median as a rate).
- ``dynamic_1k``: one workflow call whose one node is a ``@dynamic`` task building 1,000
  independent ``inc(x=i)`` and one ``total`` over them; figure = seconds per run.
- ``diabetes_cold``: the diabetes pipeline's first run in a fresh process with an empty
  cache, libraries imported and workflow compiled before the clock starts; one process per
  repeat.
- ``diabetes_warm``: the same pipeline rerun in the process that filled the cache.
- ``import``: ``import flytekit`` timed with ``time.perf_counter`` inside a fresh process, one
  process per repeat (after one untimed process that warms the disk cache).

Workflows are built and compiled before the clock starts; only the calls are timed. flytekit
keeps its local cache in ``~/.flyte/local-cache``; every run here points it at a fresh
temporary folder instead, so runs are independent and nothing outside is touched.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flytekit import dynamic, map_task, task, workflow

SCRIPT = Path(__file__).resolve()
sys.path.insert(0, str(SCRIPT.parent))

import _timing  # noqa: E402
from _timing import each_in_child, import_times, timed  # noqa: E402

CHAIN_LENGTH = 1000
FANOUT_WIDTH = 1000
CACHED_CHAIN_LENGTH = 100
MAP_ELEMENTS = 10_000
MAP_ELEMENTS_SMALL = 1_000
DYNAMIC_WIDTH = 1_000


def _fresh_cache() -> None:
    """Point flytekit's local cache at a new, empty temporary folder."""
    from flytekit.core import local_cache

    local_cache.CACHE_LOCATION = tempfile.mkdtemp(prefix="flytekit-bench-cache-")
    local_cache.LocalTaskCache.initialize()


@task
def inc(x: int) -> int:
    """The trivial task of the chain and the fan-out."""
    return x + 1


@task(cache=True, cache_version="1")
def inc_cached(x: int) -> int:
    """The trivial task of the cached chain."""
    return x + 1


@task
def total(xs: list[int]) -> int:
    """Sum the dynamic fan-out's results."""
    return sum(xs)


@dynamic
def fan_out(n: int) -> int:
    """Build ``n`` independent ``inc(x=i)`` and one `total` over them at run time."""
    return total(xs=[inc(x=i) for i in range(n)])


def _chain_workflow(length: int, *, cached: bool) -> Any:
    step = inc_cached if cached else inc

    @workflow
    def chain(x: int = 0) -> int:
        for _ in range(length):
            x = step(x=x)
        return x

    return chain


def _fanout_workflow(width: int) -> Any:
    @workflow
    def fanout() -> list[int]:
        return [inc(x=i) for i in range(width)]

    return fanout


def _build(factory: Callable[[], Any]) -> tuple[float, Any]:
    """Define and compile a workflow; returns the seconds it took and the workflow."""

    def build() -> Any:
        wf = factory()
        wf.compile()
        return wf

    return timed(build)


def case_chain(repeats: int) -> dict[str, Any]:
    """A chain of 1,000 trivial tasks, each fed by the one before."""
    _fresh_cache()
    setup, wf = _build(lambda: _chain_workflow(CHAIN_LENGTH, cached=False))
    runs = [timed(wf) for _ in range(repeats)]
    return _report(runs, units=CHAIN_LENGTH, setup=setup)


def case_fanout(repeats: int) -> dict[str, Any]:
    """1,000 independent trivial tasks whose results form the workflow's list output."""
    _fresh_cache()
    setup, wf = _build(lambda: _fanout_workflow(FANOUT_WIDTH))
    runs = [timed(wf) for _ in range(repeats)]
    result = runs[-1][1]
    if list(result) != [i + 1 for i in range(FANOUT_WIDTH)]:
        raise RuntimeError(f"fanout returned a wrong list, starting {list(result)[:5]}")
    return _report([(t, len(r)) for t, r in runs], units=FANOUT_WIDTH, setup=setup)


def _map_workflow() -> Any:
    @workflow
    def mapped(xs: list[int]) -> list[int]:
        return map_task(inc)(x=xs)

    return mapped


def _map(repeats: int, elements: int) -> dict[str, Any]:
    """``map_task(inc)`` over ``elements`` numbers; the output checked each time."""
    _fresh_cache()
    setup, wf = _build(_map_workflow)
    xs = list(range(elements))
    expected = [x + 1 for x in xs]
    runs = [timed(lambda: wf(xs=xs)) for _ in range(repeats)]
    for _, value in runs:
        if list(value) != expected:
            raise RuntimeError(f"the map returned a wrong list, starting {list(value)[:5]}")
    report = _report([(t, len(r)) for t, r in runs], units=elements, setup=setup)
    median = statistics.median(report["times"])
    return report | {"elements_per_s": round(elements / median)}


def case_map(repeats: int) -> dict[str, Any]:
    """flytekit's map_task over 10,000 elements."""
    return _map(repeats, MAP_ELEMENTS)


def case_map_1k(repeats: int) -> dict[str, Any]:
    """flytekit's map_task over 1,000 elements."""
    return _map(repeats, MAP_ELEMENTS_SMALL)


def case_dynamic_1k(repeats: int) -> dict[str, Any]:
    """A dynamic task building and running a fan-out of 1,000 nodes and their total."""
    _fresh_cache()

    @workflow
    def dynamic_fan_out(n: int = DYNAMIC_WIDTH) -> int:
        return fan_out(n=n)

    setup, wf = _build(lambda: dynamic_fan_out)
    runs = [timed(wf) for _ in range(repeats)]
    expected = sum(i + 1 for i in range(DYNAMIC_WIDTH))
    if any(value != expected for _, value in runs):
        raise RuntimeError(f"the dynamic fan-out returned {runs[-1][1]}, expected {expected}")
    return _report(runs, units=1, setup=setup)


def case_cached_rerun(repeats: int) -> dict[str, Any]:
    """Rerun a chain of 100 cached tasks whose results are all in the cache already."""
    _fresh_cache()
    setup, wf = _build(lambda: _chain_workflow(CACHED_CHAIN_LENGTH, cached=True))
    fill, _ = timed(wf)
    runs = [timed(wf) for _ in range(repeats)]
    report = _report(runs, units=CACHED_CHAIN_LENGTH, setup=setup)
    report["fill_s"] = fill
    return report


def case_diabetes_cold(repeats: int) -> dict[str, Any]:
    """The diabetes pipeline's first run in a fresh process with an empty cache.

    Each repeat is its own process, so that nothing the first run warms up (lazy imports,
    xgboost's first fit) helps the next; importing the libraries is not timed.
    """
    return each_in_child(SCRIPT, "diabetes_cold_once", repeats)


def case_diabetes_cold_once(repeats: int) -> dict[str, Any]:
    """One cold run of the diabetes pipeline in this process (``repeats`` is ignored)."""
    _fresh_cache()
    setup, wf = _build(_diabetes_workflow)
    return _report([timed(wf)], units=1, setup=setup)


def case_diabetes_warm(repeats: int) -> dict[str, Any]:
    """The diabetes pipeline again, every task answered from the cache."""
    _fresh_cache()
    setup, wf = _build(_diabetes_workflow)
    fill, _ = timed(wf)
    runs = [timed(wf) for _ in range(repeats)]
    report = _report(runs, units=1, setup=setup)
    report["fill_s"] = fill
    return report


def case_import(repeats: int) -> dict[str, Any]:
    """``import flytekit`` timed inside fresh processes (one untimed first to warm the disk)."""
    return {"times": import_times("flytekit", repeats), "units": 1, "setup_s": 0.0, "result": None}


def _diabetes_workflow() -> Any:
    import flytekit_diabetes

    return flytekit_diabetes.diabetes_xgboost_model


def _report(runs: list[tuple[float, Any]], *, units: int, setup: float) -> dict[str, Any]:
    return {
        "times": [t for t, _ in runs],
        "units": units,
        "setup_s": setup,
        "result": runs[-1][1] if runs else None,
    }


CASES: dict[str, _timing.Case] = {
    "chain": case_chain,
    "fanout": case_fanout,
    "cached_rerun": case_cached_rerun,
    "map": case_map,
    "map_1k": case_map_1k,
    "dynamic_1k": case_dynamic_1k,
    "diabetes_cold": case_diabetes_cold,
    "diabetes_cold_once": case_diabetes_cold_once,
    "diabetes_warm": case_diabetes_warm,
    "import": case_import,
}


def main(argv: list[str]) -> int:
    """Run the case named by ``argv[0]`` ``argv[1]`` times and print its JSON line."""
    return _timing.main(argv, CASES, SCRIPT.name)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
