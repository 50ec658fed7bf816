"""Time one benchmark case with updraft and print the times as JSON.

The updraft twin of ``flytekit_cases.py``: the same work, timed the same way, one case per
process. ``bench/_updraft_side.py`` drives it with a scratch temporary folder (removed
afterwards) in which every case makes its own fresh updraft home (database, blobs, cache), so
runs are independent and ``~/.updraft`` is never touched. By hand::

    .venv/bin/python bench/updraft_cases.py chain_process 5

The last line of stdout is one JSON object: ``case``, ``repeats``, ``times`` (seconds of each
timed repeat), ``units`` (tasks or nodes one repeat covers, so that ``time / units`` is the
per-task figure), ``setup_s`` (building and compiling the workflow, not timed), ``result``
(what the workflow returned, to show the work was done) and ``executor``, plus per case:
``first_run_s`` (the untimed first run that opens the store and starts the warm workers) or
``fill_s`` (the untimed run that filled the cache).

Cases:

- ``chain_process``, ``chain_inline``: one run of a workflow of 1,000 trivial tasks
  ``inc(x) = x + 1``, each fed by the one before, on the process or the inline executor;
  per-task figure = time / 1,000. The first run, which also starts the worker processes and
  creates the database, is not timed (``first_run_s``).
- ``fanout_process``, ``fanout_inline``: 1,000 independent ``inc(x=i)`` gathered by one
  ``collect`` task into the workflow's ``list[int]`` output (1,001 nodes); per-task
  figure = time / 1,000; first run untimed as above.
- ``cached_rerun``: a chain of 100 cached tasks on the process executor, run once untimed
  to fill the cache (``fill_s``), then timed reruns in which every node must be a cache hit;
  per-node figure = time / 100.
- ``diabetes_cold``: ``examples/diabetes/workflow.py``'s pipeline, first run in a fresh
  process with a fresh home, libraries imported and workflow compiled before the clock
  starts; the process executor's workers start (and import pandas and xgboost) within the
  timed run, as they do for a user. One process per repeat.
- ``diabetes_cold_inline``: the same on the inline executor, where no worker process starts;
  the closest to what flytekit's local run does.
- ``diabetes_warm``: the same pipeline rerun in the process that filled the cache; every
  one of its 4 nodes must be a cache hit.
- ``compile_10k``: decorating (tracing and compiling) a workflow of 10,000 chained task
  nodes; figure = seconds per workflow.
- ``import``: ``import updraft`` timed with ``time.perf_counter`` inside a fresh process, one
  process per repeat (after one untimed process that warms the disk cache).

The diabetes cases check the accuracy, 0.7598425196850394. Timing a run covers what calling
the workflow does: record the execution, drive the engine, read the outputs back.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
BENCH_DIR = SCRIPT.parent
sys.path.insert(0, str(BENCH_DIR))

import _timing  # noqa: E402
from _timing import each_in_child, import_times, timed  # noqa: E402
from _updraft_tasks import collect, inc, inc_cached  # noqa: E402

from updraft import workflow  # noqa: E402
from updraft.runner import find_entity, load_file, run_entity  # noqa: E402

CHAIN_LENGTH = 1000
FANOUT_WIDTH = 1000
CACHED_CHAIN_LENGTH = 100
COMPILE_NODES = 10_000
DIABETES_FILE = BENCH_DIR.parent / "examples" / "diabetes" / "workflow.py"
DIABETES_ACCURACY = 0.7598425196850394
DIABETES_NODES = 4


class CheckFailedError(RuntimeError):
    """A benchmark run finished but did not do the work it was meant to do."""


def _fresh_home() -> str:
    """A new, empty updraft home under the temporary folder."""
    return tempfile.mkdtemp(prefix="updraft-bench-home-")


def _run(wf: Any, executor: str, home: str) -> tuple[float, Any, Any]:
    """Run ``wf`` once as calling it would; returns (seconds, outputs, execution document)."""

    def call() -> tuple[Any, Any]:
        result = run_entity(wf, {}, executor=executor, home=home)
        return result.python_outputs, result.document

    seconds, (outputs, document) = timed(call)
    return seconds, outputs, document


def _check_cache(document: Any, expected: str, case: str) -> None:
    """Raise unless every node of the execution has cache status ``expected``."""
    statuses = [str(node.cache) for node in document.nodes]
    wrong = [(n.node_id, s) for n, s in zip(document.nodes, statuses, strict=True) if s != expected]
    if wrong:
        raise CheckFailedError(
            f"case {case!r}: every node should have cache status {expected!r}, but "
            f"{len(wrong)} of {len(statuses)} do not, e.g. {wrong[:3]}"
        )


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
        return collect(xs=[inc(x=i) for i in range(width)])

    return fanout


def _repeated(
    factory: Callable[[], Any], executor: str, repeats: int, units: int
) -> tuple[dict[str, Any], list[Any]]:
    """Compile, run once untimed, then time ``repeats`` runs in one fresh home."""
    setup, wf = timed(factory)
    home = _fresh_home()
    first, _, _ = _run(wf, executor, home)
    runs = [_run(wf, executor, home) for _ in range(repeats)]
    report = {
        "times": [t for t, _, _ in runs],
        "units": units,
        "setup_s": setup,
        "executor": executor,
        "first_run_s": first,
    }
    return report, [outputs for _, outputs, _ in runs]


def _chain(executor: str, repeats: int) -> dict[str, Any]:
    report, outputs = _repeated(
        lambda: _chain_workflow(CHAIN_LENGTH, cached=False), executor, repeats, CHAIN_LENGTH
    )
    if any(value != CHAIN_LENGTH for value in outputs):
        raise CheckFailedError(f"chain returned {outputs}, expected {CHAIN_LENGTH} each time")
    return report | {"result": outputs[-1]}


def _fanout(executor: str, repeats: int) -> dict[str, Any]:
    report, outputs = _repeated(
        lambda: _fanout_workflow(FANOUT_WIDTH), executor, repeats, FANOUT_WIDTH
    )
    expected = [i + 1 for i in range(FANOUT_WIDTH)]
    for value in outputs:
        if list(value) != expected:
            raise CheckFailedError(f"fanout returned a wrong list, starting {list(value)[:5]}")
    return report | {"result": len(outputs[-1])}


def case_chain_process(repeats: int) -> dict[str, Any]:
    """A chain of 1,000 trivial tasks on the process executor."""
    return _chain("process", repeats)


def case_chain_inline(repeats: int) -> dict[str, Any]:
    """A chain of 1,000 trivial tasks on the inline executor."""
    return _chain("inline", repeats)


def case_fanout_process(repeats: int) -> dict[str, Any]:
    """1,000 independent trivial tasks on the process executor."""
    return _fanout("process", repeats)


def case_fanout_inline(repeats: int) -> dict[str, Any]:
    """1,000 independent trivial tasks on the inline executor."""
    return _fanout("inline", repeats)


def case_cached_rerun(repeats: int) -> dict[str, Any]:
    """Rerun a chain of 100 cached tasks whose results are all in the cache already."""
    executor = "process"
    setup, wf = timed(lambda: _chain_workflow(CACHED_CHAIN_LENGTH, cached=True))
    home = _fresh_home()
    fill, _, document = _run(wf, executor, home)
    _check_cache(document, "put", "cached_rerun")
    times: list[float] = []
    result: Any = None
    for _ in range(repeats):
        seconds, result, document = _run(wf, executor, home)
        _check_cache(document, "hit", "cached_rerun")
        times.append(seconds)
    if result != CACHED_CHAIN_LENGTH:
        raise CheckFailedError(f"cached chain returned {result}, expected {CACHED_CHAIN_LENGTH}")
    return {
        "times": times,
        "units": CACHED_CHAIN_LENGTH,
        "setup_s": setup,
        "result": result,
        "executor": executor,
        "fill_s": fill,
    }


def _diabetes_workflow() -> Any:
    return find_entity(load_file(str(DIABETES_FILE)), "diabetes_xgboost_model")


def _check_accuracy(accuracy: Any, case: str) -> None:
    if accuracy != DIABETES_ACCURACY:
        raise CheckFailedError(
            f"case {case!r}: the diabetes pipeline's accuracy is {accuracy!r}, expected "
            f"{DIABETES_ACCURACY!r}"
        )


def _diabetes_cold(executor: str, repeats: int) -> dict[str, Any]:
    """Each repeat in its own process, so that nothing a first run warms up (worker
    processes, lazy imports, xgboost's first fit) helps the next."""
    report = each_in_child(SCRIPT, f"diabetes_cold_once_{executor}", repeats)
    return report | {"executor": executor}


def _diabetes_cold_once(executor: str) -> dict[str, Any]:
    """One cold run of the diabetes pipeline in this process, with a fresh home."""
    setup, wf = timed(_diabetes_workflow)
    seconds, accuracy, document = _run(wf, executor, _fresh_home())
    _check_accuracy(accuracy, f"diabetes_cold ({executor})")
    _check_cache(document, "put", f"diabetes_cold ({executor})")
    return {
        "times": [seconds],
        "units": 1,
        "setup_s": setup,
        "result": accuracy,
        "executor": executor,
    }


def case_diabetes_cold(repeats: int) -> dict[str, Any]:
    """The diabetes pipeline's first run in a fresh process, process executor."""
    return _diabetes_cold("process", repeats)


def case_diabetes_cold_inline(repeats: int) -> dict[str, Any]:
    """The same on the inline executor: no worker starts, as with flytekit's local runs."""
    return _diabetes_cold("inline", repeats)


def case_diabetes_cold_once_process(repeats: int) -> dict[str, Any]:
    """One cold run on the process executor (``repeats`` is ignored); used by the above."""
    return _diabetes_cold_once("process")


def case_diabetes_cold_once_inline(repeats: int) -> dict[str, Any]:
    """One cold run on the inline executor (``repeats`` is ignored); used by the above."""
    return _diabetes_cold_once("inline")


def case_diabetes_warm(repeats: int) -> dict[str, Any]:
    """The diabetes pipeline again in the same process, every node served from the cache."""
    executor = "process"
    setup, wf = timed(_diabetes_workflow)
    home = _fresh_home()
    fill, accuracy, document = _run(wf, executor, home)
    _check_accuracy(accuracy, "diabetes_warm")
    times: list[float] = []
    for _ in range(repeats):
        seconds, accuracy, document = _run(wf, executor, home)
        _check_accuracy(accuracy, "diabetes_warm")
        if len(document.nodes) != DIABETES_NODES:
            raise CheckFailedError(
                f"the diabetes pipeline has {len(document.nodes)} nodes, expected {DIABETES_NODES}"
            )
        _check_cache(document, "hit", "diabetes_warm")
        times.append(seconds)
    return {
        "times": times,
        "units": 1,
        "setup_s": setup,
        "result": accuracy,
        "executor": executor,
        "fill_s": fill,
    }


def case_compile_10k(repeats: int) -> dict[str, Any]:
    """Decorate a workflow of 10,000 chained task nodes, ``repeats`` times in this process."""
    times: list[float] = []
    nodes = 0
    for _ in range(repeats):
        seconds, wf = timed(lambda: _chain_workflow(COMPILE_NODES, cached=False))
        nodes = len(wf.spec.nodes)
        times.append(seconds)
    if nodes != COMPILE_NODES:
        raise CheckFailedError(f"the compiled workflow has {nodes} nodes, not {COMPILE_NODES}")
    return {"times": times, "units": 1, "setup_s": 0.0, "result": nodes, "executor": None}


def case_import(repeats: int) -> dict[str, Any]:
    """``import updraft`` timed inside fresh processes (one untimed first to warm the disk)."""
    times = import_times("updraft", repeats)
    return {"times": times, "units": 1, "setup_s": 0.0, "result": None, "executor": None}


CASES: dict[str, _timing.Case] = {
    "chain_process": case_chain_process,
    "chain_inline": case_chain_inline,
    "fanout_process": case_fanout_process,
    "fanout_inline": case_fanout_inline,
    "cached_rerun": case_cached_rerun,
    "diabetes_cold": case_diabetes_cold,
    "diabetes_cold_inline": case_diabetes_cold_inline,
    "diabetes_cold_once_process": case_diabetes_cold_once_process,
    "diabetes_cold_once_inline": case_diabetes_cold_once_inline,
    "diabetes_warm": case_diabetes_warm,
    "compile_10k": case_compile_10k,
    "import": case_import,
}


def main(argv: list[str]) -> int:
    """Run the case named by ``argv[0]`` ``argv[1]`` times and print its JSON line."""
    return _timing.main(argv, CASES, SCRIPT.name)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
