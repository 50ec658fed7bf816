"""Run the flytekit side of the benchmarks and collect its figures.

Each case runs ``bench/flytekit_cases.py`` in flytekit's own environment (built on first use
by ``bench/_flytekit_env.py``), in a fresh process whose home and temporary folders point at
a scratch folder removed afterwards, so flytekit's local cache and sandbox start empty and
leave nothing behind.

Run it directly for the flytekit figures alone::

    .venv/bin/python bench/_flytekit_side.py            # every case
    .venv/bin/python bench/_flytekit_side.py chain -r 7 # one case, 7 repeats
    .venv/bin/python bench/_flytekit_side.py --json     # one JSON object per case
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

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


@dataclasses.dataclass(frozen=True)
class CaseResult:
    """The times of one case, as flytekit_cases.py reported them.

    Attributes:
        case: the case's name.
        times: seconds of each timed repeat.
        units: tasks (or nodes) one repeat covers; 1 for whole-pipeline and import cases.
        setup_s: seconds spent building and compiling the workflow, outside the timing.
        result: what the workflow returned in the last repeat.
        extra: any other fields of the report (e.g. ``fill_s``, the run that filled the cache).
    """

    case: str
    times: list[float]
    units: int
    setup_s: float
    result: Any
    extra: dict[str, Any]

    @property
    def median_s(self) -> float:
        """Median seconds of one repeat."""
        return statistics.median(self.times)

    @property
    def figure(self) -> float:
        """The headline figure: ms per task for the per-task cases, else seconds."""
        if self.case in _PER_UNIT_MS:
            return self.median_s / self.units * 1000.0
        return self.median_s


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
    """
    if case not in CASES:
        raise ValueError(f"unknown flytekit case {case!r}; expected one of {', '.join(CASES)}")
    count = CASES[case][0] if repeats is None else repeats
    interpreter = python if python is not None else ensure_flytekit_venv(quiet=True)
    with tempfile.TemporaryDirectory(prefix="updraft-bench-flytekit-") as scratch:
        env = {**os.environ, "HOME": scratch, "TMPDIR": scratch}
        done = subprocess.run(
            [str(interpreter), str(CASES_SCRIPT), case, str(count)],
            capture_output=True,
            text=True,
            env=env,
            cwd=scratch,
            check=False,
        )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(
            f"flytekit case {case!r} failed (exit {done.returncode}); its stderr ends with:\n"
            f"{done.stderr[-4000:]}"
        )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    known = {"case", "repeats", "times", "units", "setup_s", "result"}
    return CaseResult(
        case=case,
        times=report["times"],
        units=report["units"],
        setup_s=report["setup_s"],
        result=report["result"],
        extra={k: v for k, v in report.items() if k not in known},
    )


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
            print(json.dumps(dataclasses.asdict(result) | {"figure": result.figure}))
        else:
            print(f"{case:14} {result.figure:10.4f}  {CASES[case][1]}  (result {result.result})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
