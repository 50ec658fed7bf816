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

import os
import sys
from pathlib import Path

import _sides
from _case_result import CaseResult
from _children import child_environment

SIDE = _sides.Side(
    name="updraft",
    script=Path(__file__).resolve().parent / "updraft_cases.py",
    cases={
        "chain_process": (7, "ms per task, chain of 1,000, process executor"),
        "chain_inline": (7, "ms per task, chain of 1,000, inline executor"),
        "fanout_process": (7, "ms per task, fan-out of 1,000, process executor"),
        "fanout_inline": (7, "ms per task, fan-out of 1,000, inline executor"),
        "cached_rerun": (7, "ms per node, rerun of a cached chain of 100"),
        "map_process": (7, "ms per element, map over 10,000, process executor"),
        "map_inline": (7, "ms per element, map over 10,000, inline executor"),
        "map_process_1k": (7, "ms per element, map over 1,000, process executor"),
        "dynamic_1k": (7, "s, dynamic fan-out of 1,000 built and run, process executor"),
        "dynamic_1k_inline": (7, "s, the same on the inline executor"),
        "diabetes_cold": (5, "s, diabetes pipeline, empty cache, fresh process"),
        "diabetes_cold_inline": (5, "s, the same on the inline executor"),
        "diabetes_warm": (7, "s, diabetes pipeline, every task from the cache"),
        "compile_10k": (7, "s, compile a workflow of 10,000 nodes"),
        "import": (11, "s, import updraft in a fresh process"),
    },
    per_unit=frozenset(
        {
            "chain_process",
            "chain_inline",
            "fanout_process",
            "fanout_inline",
            "cached_rerun",
            "map_process",
            "map_inline",
            "map_process_1k",
        }
    ),
)
CASES = SIDE.cases
"""Case name -> (default repeats, what its figure measures)."""


def _environment(scratch: str) -> dict[str, str]:
    """Temporary folder and updraft home in the scratch folder; each case picks its executor."""
    env = child_environment(TMPDIR=scratch, UPDRAFT_HOME=os.path.join(scratch, "home"))
    env.pop("UPDRAFT_EXECUTOR", None)
    return env


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
        subprocess.TimeoutExpired: when the case runs longer than ``_sides.TIMEOUT_S``.
    """
    return SIDE.run(case, repeats, python=Path(sys.executable), environment=_environment)


def main(argv: list[str] | None = None) -> int:
    """Print the updraft figures of the chosen cases (all by default)."""
    return _sides.main(
        SIDE,
        argv,
        description="updraft's side of its benchmarks",
        name_width=20,
        prepare=lambda: run_case,
    )


if __name__ == "__main__":
    sys.exit(main())
