"""Run the updraft side of the benchmarks and collect its figures.

Each case runs ``bench/updraft_cases.py`` with this interpreter in a fresh process whose
temporary folder (where every case makes its updraft home), ``$UPDRAFT_HOME`` and working
directory point at a scratch folder removed afterwards, so caches start empty and nothing is
left behind; compiled bytecode is cached as ``_children.py`` says.

Run it directly for the updraft figures alone::

    .venv/bin/python bench/_updraft_side.py                    # every case
    .venv/bin/python bench/_updraft_side.py chain_process -r 7 # one case, 7 repeats
    .venv/bin/python bench/_updraft_side.py --json             # one JSON object per case
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _case_result import CaseResult
from _children import child_environment

CASES_SCRIPT = Path(__file__).resolve().parent / "updraft_cases.py"

CASES: dict[str, tuple[int, str]] = {
    "chain_process": (7, "ms per task, chain of 1,000, process executor"),
    "chain_inline": (7, "ms per task, chain of 1,000, inline executor"),
    "fanout_process": (7, "ms per task, fan-out of 1,000, process executor"),
    "fanout_inline": (7, "ms per task, fan-out of 1,000, inline executor"),
    "cached_rerun": (7, "ms per node, rerun of a cached chain of 100"),
    "diabetes_cold": (5, "s, diabetes pipeline, empty cache, fresh process"),
    "diabetes_cold_inline": (5, "s, the same on the inline executor"),
    "diabetes_warm": (7, "s, diabetes pipeline, every task from the cache"),
    "compile_10k": (7, "s, compile a workflow of 10,000 nodes"),
    "import": (11, "s, import updraft in a fresh process"),
}
"""Case name -> (default repeats, what its figure measures)."""

PER_UNIT_MS = {"chain_process", "chain_inline", "fanout_process", "fanout_inline", "cached_rerun"}
TIMEOUT_S = 900
"""A case still running after this many seconds is stopped and reported as failed."""


def run_case(case: str, repeats: int | None = None) -> CaseResult:
    """Time ``case`` with updraft ``repeats`` times (its default when None).

    Args:
        case: one of ``CASES``.
        repeats: how many timed repeats.

    Returns:
        The case's times and figure.

    Raises:
        ValueError: for an unknown case.
        RuntimeError: when the case fails in its process; the message carries its stderr.
        subprocess.TimeoutExpired: when the case runs longer than ``TIMEOUT_S``.
    """
    if case not in CASES:
        raise ValueError(f"unknown updraft case {case!r}; expected one of {', '.join(CASES)}")
    count = CASES[case][0] if repeats is None else repeats
    with tempfile.TemporaryDirectory(prefix="updraft-bench-updraft-") as scratch:
        env = child_environment(TMPDIR=scratch, UPDRAFT_HOME=os.path.join(scratch, "home"))
        env.pop("UPDRAFT_EXECUTOR", None)
        done = subprocess.run(
            [sys.executable, str(CASES_SCRIPT), case, str(count)],
            capture_output=True,
            text=True,
            env=env,
            cwd=scratch,
            check=False,
            timeout=TIMEOUT_S,
        )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(
            f"updraft case {case!r} failed (exit {done.returncode}); its stderr ends with:\n"
            f"{done.stderr[-4000:]}"
        )
    return CaseResult.from_stdout(case, done.stdout, per_unit=case in PER_UNIT_MS)


def main(argv: list[str] | None = None) -> int:
    """Print the updraft figures of the chosen cases (all by default)."""
    parser = argparse.ArgumentParser(description="updraft's side of its benchmarks")
    parser.add_argument("cases", nargs="*", metavar="CASE", help=f"of: {', '.join(CASES)}")
    parser.add_argument("-r", "--repeats", type=int, default=None, help="timed repeats")
    parser.add_argument("--json", action="store_true", help="one JSON object per case")
    args = parser.parse_args(argv)
    unknown = [case for case in args.cases if case not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; expected some of {', '.join(CASES)}")
    for case in args.cases or list(CASES):
        result = run_case(case, args.repeats)
        if args.json:
            print(json.dumps(result.as_json()))
        else:
            print(f"{case:20} {result.figure:10.4f}  {CASES[case][1]}  (result {result.result})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
