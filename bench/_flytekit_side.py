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

import sys
from functools import partial
from pathlib import Path

import _sides
from _case_result import CaseResult
from _children import child_environment
from _flytekit_env import ensure_flytekit_venv

SIDE = _sides.Side(
    name="flytekit",
    script=Path(__file__).resolve().parent / "flytekit_cases.py",
    cases={
        "chain": (5, "ms per task, chain of 1,000"),
        "fanout": (5, "ms per task, fan-out of 1,000"),
        "cached_rerun": (5, "ms per node, rerun of a cached chain of 100"),
        "map": (5, "ms per element, map_task over 10,000"),
        "map_1k": (5, "ms per element, map_task over 1,000"),
        "dynamic_1k": (5, "s, dynamic fan-out of 1,000 built and run"),
        "diabetes_cold": (3, "s, diabetes pipeline, empty cache, fresh process"),
        "diabetes_warm": (5, "s, diabetes pipeline, every task from the cache"),
        "import": (5, "s, import flytekit in a fresh process"),
    },
    per_unit=frozenset({"chain", "fanout", "cached_rerun", "map", "map_1k"}),
)
CASES = SIDE.cases
"""Case name -> (default repeats, what its figure measures)."""


def _environment(scratch: str) -> dict[str, str]:
    """Home and temporary folder in the scratch folder: flytekit's cache and sandbox go there."""
    return child_environment(HOME=scratch, TMPDIR=scratch)


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
        subprocess.TimeoutExpired: when the case runs longer than ``_sides.TIMEOUT_S``.
    """
    SIDE.repeats_for(case, repeats)  # an unknown case fails before the environment is built
    interpreter = python if python is not None else ensure_flytekit_venv(quiet=True)
    return SIDE.run(case, repeats, python=interpreter, environment=_environment)


def _prepare() -> _sides.Runner:
    """Build (or reuse) the flytekit environment once for every case of the command."""
    return partial(run_case, python=ensure_flytekit_venv(quiet=True))


def main(argv: list[str] | None = None) -> int:
    """Print the flytekit figures of the chosen cases (all by default)."""
    return _sides.main(
        SIDE,
        argv,
        description="flytekit's side of updraft's benchmarks",
        name_width=14,
        prepare=_prepare,
    )


if __name__ == "__main__":
    sys.exit(main())
