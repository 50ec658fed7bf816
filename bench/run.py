"""Run updraft's benchmarks side by side with flytekit and report them against DESIGN's budget.

Every case runs in fresh processes on both sides (``_updraft_side.py``, ``_flytekit_side.py``);
this script picks the repeats, pairs each updraft case with the flytekit case doing the same
work, prints a table of medians with the ratio and the budget, and writes ``bench/RESULTS.md``
and ``bench/results.json``. Compiled bytecode is cached for both sides, as a user's Python
does (``_children.py``), and one untimed warm-up run per side fills that cache before any
timing. The flytekit environment is built on first use (needs network once); without it,
or with ``--no-flytekit``, only updraft's side runs.

Usage::

    .venv/bin/python bench/run.py                       # every case, a few minutes
    .venv/bin/python bench/run.py --quick               # fewer repeats
    .venv/bin/python bench/run.py --only chain_process --only import  # prints, writes nothing
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import _children
import _flytekit_side
import _machine
import _updraft_side
from _case_result import CaseResult
from _flytekit_env import ensure_flytekit_venv
from _report import Benchmark, Row, json_payload, markdown, text_table

BENCH_DIR = Path(__file__).resolve().parent

BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark("chain_process", "chain", "ms/task", 0.5, "chain of 1,000, process executor"),
    Benchmark("chain_inline", "chain", "ms/task", 0.1, "chain of 1,000, inline executor"),
    Benchmark("fanout_process", "fanout", "ms/task", None, "fan-out of 1,000, process executor"),
    Benchmark("fanout_inline", "fanout", "ms/task", None, "fan-out of 1,000, inline executor"),
    Benchmark("cached_rerun", "cached_rerun", "ms/node", 0.2, "rerun of a cached chain of 100"),
    Benchmark(
        "map_process",
        "map",
        "ms/element",
        1 / 30,
        "map over 10,000, process executor",
        budget_note="over 30,000/s",
    ),
    Benchmark("map_inline", "map", "ms/element", None, "map over 10,000, inline executor"),
    Benchmark("map_process_1k", "map_1k", "ms/element", None, "map over 1,000, process executor"),
    Benchmark("dynamic_1k", "dynamic_1k", "s", None, "dynamic fan-out of 1,000, process"),
    Benchmark("dynamic_1k_inline", "dynamic_1k", "s", None, "dynamic fan-out of 1,000, inline"),
    Benchmark("diabetes_cold", "diabetes_cold", "s", None, "diabetes, fresh process, process"),
    Benchmark(
        "diabetes_cold_inline", "diabetes_cold", "s", None, "diabetes, fresh process, inline"
    ),
    Benchmark("diabetes_warm", "diabetes_warm", "s", None, "diabetes, all from the cache"),
    Benchmark("compile_10k", None, "s", 1.0, "compile a workflow of 10,000 nodes"),
    Benchmark("import", "import", "s", 0.15, "import in a fresh process"),
)

REPEATS: dict[str, tuple[int, int]] = {
    "chain_process": (7, 3),
    "chain_inline": (7, 3),
    "fanout_process": (7, 3),
    "fanout_inline": (7, 3),
    "cached_rerun": (7, 3),
    "map_process": (7, 3),
    "map_inline": (7, 3),
    "map_process_1k": (7, 3),
    "dynamic_1k": (7, 3),
    "dynamic_1k_inline": (7, 3),
    "diabetes_cold": (5, 2),
    "diabetes_cold_inline": (5, 2),
    "diabetes_warm": (7, 3),
    "compile_10k": (7, 3),
    "import": (11, 5),
}
"""updraft case -> (repeats of a full run, of a ``--quick`` run); its flytekit twin gets the
same (the most of the rows it serves)."""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _attempt(label: str, call: Callable[[], CaseResult]) -> tuple[CaseResult | None, str | None]:
    """Run one side of one case, reporting progress; a failure becomes a message."""
    _say(f"  {label} ...")
    start = time.perf_counter()
    try:
        result = call()
    except (RuntimeError, ValueError, subprocess.TimeoutExpired) as error:
        _say(f"  {label} FAILED: {str(error).splitlines()[0] if str(error) else error!r}")
        return None, f"{label} failed: {error}"
    unit = "ms" if result.per_unit else "s"
    _say(f"  {label}: {result.figure:.4g} {unit} ({time.perf_counter() - start:.1f} s)")
    return result, None


def _flytekit_python(enabled: bool) -> Path | None:
    if not enabled:
        return None
    _say("preparing the flytekit environment (bench/.flytekit-venv) ...")
    try:
        return ensure_flytekit_venv(quiet=True)
    except (OSError, RuntimeError, subprocess.CalledProcessError) as error:
        _say(f"no flytekit environment, only updraft's side will run: {error}")
        return None


def warm_up(flytekit: Path | None) -> None:
    """Fill the bytecode cache (see ``_children.py``) with one untimed cold pipeline per side.

    The diabetes pipeline's cold run imports nearly everything any case imports, in the
    driving process and, on updraft's side, in a worker. Failures show up again, with their
    message, when the cases run.
    """
    _say("warming up: one untimed cold diabetes run per side, to cache compiled bytecode")
    sides: list[tuple[str, Callable[[], CaseResult]]] = [
        ("updraft", partial(_updraft_side.run_case, "diabetes_cold", 1))
    ]
    if flytekit is not None:
        sides.append(
            ("flytekit", partial(_flytekit_side.run_case, "diabetes_cold", 1, python=flytekit))
        )
    for side, call in sides:
        try:
            call()
        except (RuntimeError, ValueError, subprocess.TimeoutExpired) as error:
            _say(f"  {side} warm-up failed: {str(error).splitlines()[0]}")


def run(benchmarks: list[Benchmark], *, quick: bool, flytekit: Path | None) -> list[Row]:
    """Run ``benchmarks`` on both sides; each flytekit case runs once for all its rows."""
    pick = 1 if quick else 0
    flytekit_repeats: dict[str, int] = {}
    for bench in benchmarks:
        if bench.flytekit is not None:
            count = REPEATS[bench.case][pick]
            flytekit_repeats[bench.flytekit] = max(count, flytekit_repeats.get(bench.flytekit, 0))
    flytekit_done: dict[str, tuple[CaseResult | None, str | None]] = {}
    rows: list[Row] = []
    for index, bench in enumerate(benchmarks, start=1):
        _say(f"[{index}/{len(benchmarks)}] {bench.case}: {bench.what}")
        repeats = REPEATS[bench.case][pick]
        ours, error = _attempt(
            f"updraft {bench.case} x{repeats}",
            partial(_updraft_side.run_case, bench.case, repeats),
        )
        errors = [error] if error else []
        theirs: CaseResult | None = None
        if bench.flytekit is not None and flytekit is not None:
            name = bench.flytekit
            if name not in flytekit_done:
                n = flytekit_repeats[name]
                flytekit_done[name] = _attempt(
                    f"flytekit {name} x{n}",
                    partial(_flytekit_side.run_case, name, n, python=flytekit),
                )
            theirs, their_error = flytekit_done[name]
            if their_error and their_error not in errors:
                errors.append(their_error)
        rows.append(Row(bench, ours, theirs, tuple(errors)))
    return rows


def _map_server_results() -> dict[str, Any] | None:
    """What `map_server.py` measured last, for RESULTS.md's section on it; None when absent."""
    path = BENCH_DIR / "map_server_results.json"
    if not path.exists():
        return None
    results: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return results


def _meta(argv: list[str], flytekit: Path | None, *, quick: bool) -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["bench/run.py", *argv]),
        "quick": quick,
        "bytecode": f"cached under {_children.PYCACHE_DIR.relative_to(BENCH_DIR.parent)}",
        "machine": _machine.machine(),
        "updraft": _machine.updraft_versions(),
        "flytekit": _machine.flytekit_versions(flytekit) if flytekit is not None else None,
        "map_server": _map_server_results(),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the chosen cases, print the table and (unless told not to) write the reports.

    Returns:
        0 when every case ran, 1 when some failed (budgets missed do not change it).
    """
    args_list = sys.argv[1:] if argv is None else argv
    names = [bench.case for bench in BENCHMARKS]
    parser = argparse.ArgumentParser(description="updraft against flytekit, side by side")
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument(
        "--only", action="append", metavar="CASE", choices=names, help=f"of: {', '.join(names)}"
    )
    parser.add_argument("--no-flytekit", action="store_true", help="updraft's side only")
    parser.add_argument(
        "--no-warm-up", action="store_true", help="skip the untimed run that caches bytecode"
    )
    parser.add_argument(
        "--write",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="write RESULTS.md and results.json (default: only when every case runs)",
    )
    args = parser.parse_args(args_list)
    chosen = [bench for bench in BENCHMARKS if not args.only or bench.case in args.only]
    flytekit = _flytekit_python(not args.no_flytekit)
    if not args.no_warm_up:
        warm_up(flytekit)
    rows = run(chosen, quick=args.quick, flytekit=flytekit)
    print(text_table(rows))
    if args.write if args.write is not None else not args.only:
        meta = _meta(args_list, flytekit, quick=args.quick)
        (BENCH_DIR / "RESULTS.md").write_text(markdown(rows, meta), encoding="utf-8")
        payload = json.dumps(json_payload(rows, meta), indent=2, default=str)
        (BENCH_DIR / "results.json").write_text(payload + "\n", encoding="utf-8")
        _say(f"wrote {BENCH_DIR / 'RESULTS.md'} and {BENCH_DIR / 'results.json'}")
    return 1 if any(row.errors for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
