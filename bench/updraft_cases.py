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
- ``map_process``, ``map_inline``: ``map_task(inc)`` over a list input of 10,000 elements,
  the workflow's only node, on the process or the inline executor; per-element figure =
  time / 10,000 (``elements_per_s`` is the same median as a rate); first run untimed.
  ``map_process_1k``: the same over 1,000 elements, process executor.
- ``dynamic_1k``, ``dynamic_1k_inline``: a workflow whose one node is the dynamic task
  ``fan_out(n=1000)``, which builds a fan-out of 1,000 ``inc(x=i)`` and one ``total`` over
  them (1,001 child nodes) at run time; figure = seconds per run (build and run), on the
  process or the inline executor; first run untimed. From the node records of each run:
  ``expand_s`` (the dynamic node's attempt, which runs the body and traces the sub-workflow),
  ``graft_s`` (from that attempt's end to the first child starting: the engine taking in
  the sub-workflow) and ``children_s`` (first child started to last child ended), medians.
- ``compile_10k``: decorating (tracing and compiling) a workflow of 10,000 chained task
  nodes; figure = seconds per workflow.
- ``import``: ``import updraft`` timed with ``time.perf_counter`` inside a fresh process, one
  process per repeat (after one untimed process that warms the disk cache).

The diabetes cases check the accuracy, 0.7598425196850394. Timing a run covers what calling
the workflow does: record the execution, drive the engine, read the outputs back.
"""

from __future__ import annotations

import statistics
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
from _updraft_tasks import collect, fan_out, inc, inc_cached  # noqa: E402

from updraft import map_task, workflow  # noqa: E402
from updraft.runner import find_entity, load_file, run_entity  # noqa: E402

CHAIN_LENGTH = 1000
FANOUT_WIDTH = 1000
CACHED_CHAIN_LENGTH = 100
COMPILE_NODES = 10_000
MAP_ELEMENTS = 10_000
MAP_ELEMENTS_SMALL = 1_000
DYNAMIC_WIDTH = 1_000
DIABETES_FILE = BENCH_DIR.parent / "examples" / "diabetes" / "workflow.py"
DIABETES_ACCURACY = 0.7598425196850394
DIABETES_NODES = 4


class CheckFailedError(RuntimeError):
    """A benchmark run finished but did not do the work it was meant to do."""


def _fresh_home() -> str:
    """A new, empty updraft home under the temporary folder."""
    return tempfile.mkdtemp(prefix="updraft-bench-home-")


def _run(
    wf: Any, executor: str, home: str, inputs: dict[str, Any] | None = None
) -> tuple[float, Any, Any]:
    """Run ``wf`` once as calling it would; returns (seconds, outputs, execution document)."""

    def call() -> tuple[Any, Any]:
        result = run_entity(wf, inputs or {}, executor=executor, home=home)
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
    factory: Callable[[], Any],
    executor: str,
    repeats: int,
    units: int,
    inputs: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[tuple[float, Any, Any]]]:
    """Compile, run once untimed, then time ``repeats`` runs in one fresh home.

    Returns:
        The report, and each timed run's (seconds, outputs, execution document).
    """
    setup, wf = timed(factory)
    home = _fresh_home()
    first, _, _ = _run(wf, executor, home, inputs)
    runs = [_run(wf, executor, home, inputs) for _ in range(repeats)]
    report = {
        "times": [t for t, _, _ in runs],
        "units": units,
        "setup_s": setup,
        "executor": executor,
        "first_run_s": first,
    }
    return report, runs


def _chain(executor: str, repeats: int) -> dict[str, Any]:
    report, runs = _repeated(
        lambda: _chain_workflow(CHAIN_LENGTH, cached=False), executor, repeats, CHAIN_LENGTH
    )
    outputs = [value for _, value, _ in runs]
    if any(value != CHAIN_LENGTH for value in outputs):
        raise CheckFailedError(f"chain returned {outputs}, expected {CHAIN_LENGTH} each time")
    return report | {"result": outputs[-1]}


def _fanout(executor: str, repeats: int) -> dict[str, Any]:
    report, runs = _repeated(
        lambda: _fanout_workflow(FANOUT_WIDTH), executor, repeats, FANOUT_WIDTH
    )
    outputs = [value for _, value, _ in runs]
    expected = [i + 1 for i in range(FANOUT_WIDTH)]
    for value in outputs:
        if list(value) != expected:
            raise CheckFailedError(f"fanout returned a wrong list, starting {list(value)[:5]}")
    return report | {"result": len(outputs[-1])}


def _map_workflow() -> Any:
    @workflow
    def mapped(xs: list[int]) -> list[int]:
        return map_task(inc)(x=xs)

    return mapped


def _map(executor: str, repeats: int, elements: int) -> dict[str, Any]:
    """``map_task(inc)`` over ``elements`` numbers; every output checked."""
    xs = list(range(elements))
    report, runs = _repeated(_map_workflow, executor, repeats, elements, {"xs": xs})
    expected = [x + 1 for x in xs]
    for _, value, document in runs:
        if list(value) != expected:
            raise CheckFailedError(f"the map returned a wrong list, starting {list(value)[:5]}")
        counts = document.nodes[0].elements
        if counts is None or counts.succeeded != elements:
            raise CheckFailedError(f"the map node records {counts}, not {elements} succeeded")
    median = statistics.median(report["times"])
    return report | {"result": len(expected), "elements_per_s": round(elements / median)}


def _dynamic_workflow() -> Any:
    @workflow
    def dynamic_fan_out(n: int = DYNAMIC_WIDTH) -> int:
        return fan_out(n=n)

    return dynamic_fan_out


def _dynamic_split(document: Any) -> tuple[float, float, float]:
    """(expand_s, graft_s, children_s) of one run, from its node records.

    Raises:
        CheckFailedError: the dynamic node did not build its 1,001 children.
    """
    parent = document.nodes[0]
    children = [node for node in document.nodes if node.parent == parent.node_id]
    if parent.kind != "dynamic" or len(children) != DYNAMIC_WIDTH + 1 or not parent.history:
        raise CheckFailedError(
            f"the dynamic node {parent.node_id} ({parent.kind}) has {len(children)} children "
            f"and {len(parent.history)} attempts, expected {DYNAMIC_WIDTH + 1} and 1"
        )
    attempt = parent.history[0]
    first_child = min(child.started_at for child in children)
    last_child = max(child.ended_at for child in children)
    return (
        (attempt.ended_at - attempt.started_at).total_seconds(),
        (first_child - attempt.ended_at).total_seconds(),
        (last_child - first_child).total_seconds(),
    )


def _dynamic(executor: str, repeats: int) -> dict[str, Any]:
    """The dynamic fan-out of 1,000, its answer checked and its time split from the records."""
    report, runs = _repeated(_dynamic_workflow, executor, repeats, 1)
    expected = sum(i + 1 for i in range(DYNAMIC_WIDTH))
    splits = []
    for _, value, document in runs:
        if value != expected:
            raise CheckFailedError(f"the dynamic fan-out returned {value}, expected {expected}")
        splits.append(_dynamic_split(document))
    expand, graft, children = (statistics.median(column) for column in zip(*splits, strict=True))
    return report | {
        "result": value,
        "expand_s": expand,
        "graft_s": graft,
        "children_s": children,
    }


def case_map_process(repeats: int) -> dict[str, Any]:
    """A map over 10,000 elements on the process executor."""
    return _map("process", repeats, MAP_ELEMENTS)


def case_map_inline(repeats: int) -> dict[str, Any]:
    """A map over 10,000 elements on the inline executor."""
    return _map("inline", repeats, MAP_ELEMENTS)


def case_map_process_1k(repeats: int) -> dict[str, Any]:
    """A map over 1,000 elements on the process executor."""
    return _map("process", repeats, MAP_ELEMENTS_SMALL)


def case_dynamic_1k(repeats: int) -> dict[str, Any]:
    """A dynamic task building and running a fan-out of 1,000 nodes, process executor."""
    return _dynamic("process", repeats)


def case_dynamic_1k_inline(repeats: int) -> dict[str, Any]:
    """The same on the inline executor."""
    return _dynamic("inline", repeats)


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
    "map_process": case_map_process,
    "map_inline": case_map_inline,
    "map_process_1k": case_map_process_1k,
    "dynamic_1k": case_dynamic_1k,
    "dynamic_1k_inline": case_dynamic_1k_inline,
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
