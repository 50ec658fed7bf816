"""Run the flytekit side of the benchmarks and collect its figures.

Each case runs ``bench/flytekit_cases.py`` in flytekit's own environment (built on first use
by ``bench/_flytekit_env.py``), in a fresh process whose home and temporary folders point at
a scratch folder removed afterwards, so flytekit's local cache and sandbox start empty and
leave nothing behind; compiled bytecode is cached as ``_children.py`` says.

Run it directly for the flytekit figures alone::

    .venv/bin/python bench/_flytekit_side.py            # every case
    .venv/bin/python bench/_flytekit_side.py chain -r 7 # one case, 7 repeats
    .venv/bin/python bench/_flytekit_side.py --json     # one JSON object per case
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _case_result import CaseResult
from _children import child_environment
from _flytekit_env import ensure_flytekit_venv

CASES_SCRIPT = Path(__file__).resolve().parent / "flytekit_cases.py"

CASES: dict[str, tuple[int, str]] = {
    "chain": (5, "ms per task, chain of 1,000"),
    "fanout": (5, "ms per task, fan-out of 1,000"),
    "cached_rerun": (5, "ms per node, rerun of a cached chain of 100"),
    "diabetes_cold": (3, "s, diabetes pipeline, empty cache, fresh process"),
    "diabetes_warm": (5, "s, diabetes pipeline, every task from the cache"),
    "import": (5, "s, import flytekit in a fresh process"),
}
"""Case name -> (default repeats, what its figure measures)."""

_PER_UNIT_MS = {"chain", "fanout", "cached_rerun"}
TIMEOUT_S = 900
"""A case still running after this many seconds is stopped and reported as failed."""


def run_case(case: str, repeats: int | None = None, *, python: Path | None = None) -> CaseResult:
    """Time ``case`` with flytekit ``repeats`` times (its default when None).

    Args:
        case: one of ``CASES``.
        repeats: how many timed repeats.
        python: the flytekit environment's interpreter; built or reused when None.

    Returns:
        The case's times and figure.

    Raises:
        ValueError: for an unknown case.
        RuntimeError: when the case fails in its process; the message carries its stderr.
        subprocess.TimeoutExpired: when the case runs longer than ``TIMEOUT_S``.
    """
    if case not in CASES:
        raise ValueError(f"unknown flytekit case {case!r}; expected one of {', '.join(CASES)}")
    count = CASES[case][0] if repeats is None else repeats
    interpreter = python if python is not None else ensure_flytekit_venv(quiet=True)
    with tempfile.TemporaryDirectory(prefix="updraft-bench-flytekit-") as scratch:
        env = child_environment(HOME=scratch, TMPDIR=scratch)
        done = subprocess.run(
            [str(interpreter), str(CASES_SCRIPT), case, str(count)],
            capture_output=True,
            text=True,
            env=env,
            cwd=scratch,
            check=False,
            timeout=TIMEOUT_S,
        )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(
            f"flytekit case {case!r} failed (exit {done.returncode}); its stderr ends with:\n"
            f"{done.stderr[-4000:]}"
        )
    return CaseResult.from_stdout(case, done.stdout, per_unit=case in _PER_UNIT_MS)


def main(argv: list[str] | None = None) -> int:
    """Print the flytekit figures of the chosen cases (all by default)."""
    parser = argparse.ArgumentParser(description="flytekit's side of updraft's benchmarks")
    parser.add_argument("cases", nargs="*", metavar="CASE", help=f"of: {', '.join(CASES)}")
    parser.add_argument("-r", "--repeats", type=int, default=None, help="timed repeats")
    parser.add_argument("--json", action="store_true", help="one JSON object per case")
    args = parser.parse_args(argv)
    unknown = [case for case in args.cases if case not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; expected some of {', '.join(CASES)}")
    python = ensure_flytekit_venv(quiet=True)
    for case in args.cases or list(CASES):
        result = run_case(case, args.repeats, python=python)
        if args.json:
            print(json.dumps(result.as_json()))
        else:
            print(f"{case:14} {result.figure:10.4f}  {CASES[case][1]}  (result {result.result})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
