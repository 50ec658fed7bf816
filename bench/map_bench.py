"""Map elements per second on the worker's side: what running the elements themselves costs.

DESIGN's budget for a map over 10,000 elements on the process executor is over 30,000
elements/s end to end; this script measures the part the worker pays, so that the rest of
the budget is known to be the engine's. Two figures, each the median of several repeats:

- ``run_attempt``: map batches of the trivial task ``inc(x) = x + 1`` run in this process by
  `updraft.engine.executors.run_attempt` (resolve once, convert each element's input, call,
  convert its output), for several batch sizes covering the same 10,000 elements.
- ``process``: the same batches through a `ProcessExecutor` with warm workers (started and
  fed once before the clock), so that encoding the requests and results over the pipes is
  counted too.

Usage::

    .venv/bin/python bench/map_bench.py                  # 10,000 elements, 7 repeats
    .venv/bin/python bench/map_bench.py --elements 100000 --repeats 3 --batch 1000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH_DIR = str(Path(__file__).resolve().parent)
if BENCH_DIR not in sys.path:  # `_updraft_tasks` is imported by entry point, as a user's module
    sys.path.insert(0, BENCH_DIR)

from updraft.engine.executors import Executor, ProcessExecutor, run_attempt  # noqa: E402
from updraft.model import AttemptRequest, AttemptResult, Literal, Outcome, Scalar  # noqa: E402
from updraft.store import BlobStore  # noqa: E402

_DEFAULT_BATCHES = (100, 1_000, 10_000)


def batches(elements: int, size: int, blob_root: str, tag: str) -> list[AttemptRequest]:
    """Map batches of ``inc`` over ``range(elements)``, ``size`` elements each."""
    requests = []
    for number, start in enumerate(range(0, elements, size)):
        items: tuple[dict[str, Literal], ...] = tuple(
            {"x": Scalar(i)} for i in range(start, min(start + size, elements)))
        requests.append(AttemptRequest(
            id=f"{tag}-b{number}", execution_id=f"bench-{tag}", node_id="n0", attempt=1,
            task_name="_updraft_tasks.inc", entry_point="_updraft_tasks:inc", inputs={},
            output_prefix=f"bench-{tag}/n0/b{number}", blob_root=blob_root,
            code_paths=(BENCH_DIR,), elements=items))
    return requests


def check(results: list[AttemptResult], elements: int) -> None:
    """Every element ran and returned its input plus one, in order."""
    got: list[object] = []
    for result in results:
        if result.outcome is not Outcome.SUCCEEDED or result.elements is None:
            raise RuntimeError(f"batch {result.attempt_id} failed: {result.error}")
        got.extend(e.outputs["o0"].value if e.outputs else None  # type: ignore[union-attr]
                   for e in result.elements)
    if got != list(range(1, elements + 1)):
        raise RuntimeError("the map's outputs are not its inputs plus one, in order")


def in_process(requests: list[AttemptRequest], blob: BlobStore) -> list[AttemptResult]:
    return [run_attempt(r, blob, worker_id="bench") for r in requests]


def through_process_executor(executor: Executor,
                             requests: list[AttemptRequest]) -> list[AttemptResult]:
    executor.submit(requests)
    found: dict[str, AttemptResult] = {}
    while len(found) < len(requests):
        executor.wait(1.0)
        for result in executor.results():
            found[result.attempt_id] = result
    return [found[r.id] for r in requests]


def measure(run: Callable[[list[AttemptRequest]], list[AttemptResult]], elements: int,
            size: int, repeats: int, blob_root: str, label: str) -> float:
    """Median seconds of ``run`` over fresh batches; prints the line of the figure."""
    check(run(batches(elements, size, blob_root, f"{label}-warm")), elements)
    times = []
    for repeat in range(repeats):
        requests = batches(elements, size, blob_root, f"{label}-{size}-{repeat}")
        start = time.perf_counter()
        results = run(requests)
        times.append(time.perf_counter() - start)
        check(results, elements)
    median = statistics.median(times)
    print(f"{label:<12} batch {size:>6}  {elements / median:>10,.0f} elements/s  "
          f"{median / elements * 1e6:>6.2f} us/element  (median of {repeats}, "
          f"min {min(times) * 1e3:.1f} ms, max {max(times) * 1e3:.1f} ms)")
    return median


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--elements", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--batch", type=int, action="append",
                        help=f"elements per batch (repeatable; default {_DEFAULT_BATCHES})")
    parser.add_argument("--workers", type=int, default=2,
                        help="process executor workers (default 2)")
    args = parser.parse_args(argv)
    sizes = args.batch or list(_DEFAULT_BATCHES)
    with tempfile.TemporaryDirectory(prefix="updraft-map-bench-") as tmp:
        blob_root = str(Path(tmp) / "blobs")
        blob = BlobStore(blob_root)
        for size in sizes:
            measure(lambda r: in_process(r, blob), args.elements, size, args.repeats,
                    blob_root, "run_attempt")
        with ProcessExecutor(blob_root, max_workers=args.workers,
                             log_dir=str(Path(tmp) / "logs")) as executor:
            for size in sizes:
                measure(lambda r: through_process_executor(executor, r),
                        args.elements, size, args.repeats, blob_root, "process")
    return 0


if __name__ == "__main__":
    sys.exit(main())
