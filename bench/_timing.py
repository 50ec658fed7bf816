"""The timing scaffolding both case scripts share: clock, child processes, command line.

``updraft_cases.py`` and ``flytekit_cases.py`` must time the same things the same way, so
what does the timing lives here once. ``flytekit_cases.py`` runs inside flytekit's own
virtual environment, where neither updraft nor anything else from this project is
installed; so this module uses the standard library only and is imported by path (each case
script puts ``bench/`` on ``sys.path``).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

Case = Callable[[int], dict[str, Any]]
"""A case: given the repeats, returns its report (``times``, ``units``, ``setup_s``, ...)."""


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds ``call`` took, and what it returned."""
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def import_times(module: str, repeats: int) -> list[float]:
    """Seconds ``import module`` takes inside each of ``repeats`` fresh interpreters.

    One more untimed process runs first, so that the disk cache is warm for every timed one.
    The clock runs inside the process, so interpreter start-up is not counted.
    """
    probe = (
        f"import time\nt = time.perf_counter()\nimport {module}\nprint(time.perf_counter() - t)\n"
    )
    return [_probe_once(probe) for _ in range(repeats + 1)][1:]


def _probe_once(probe: str) -> float:
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def in_child(script: Path, case: str) -> dict[str, Any]:
    """Run ``case`` of the case script ``script`` once in a fresh interpreter; its report.

    Raises:
        RuntimeError: when the child fails; the message carries its stderr.
    """
    done = subprocess.run(
        [sys.executable, str(script), case, "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"case {case!r} failed in its child process (exit {done.returncode}):\n"
            f"{done.stderr[-4000:]}"
        )
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def each_in_child(script: Path, case: str, repeats: int) -> dict[str, Any]:
    """Run the single-run ``case`` in ``repeats`` fresh interpreters; one report of them all.

    Used for the cold cases, so that nothing a first run warms up (lazy imports, worker
    processes, xgboost's first fit) helps the next. The setup time is the children's median.
    """
    runs = [in_child(script, case) for _ in range(repeats)]
    return {
        "times": [run["times"][0] for run in runs],
        "units": 1,
        "setup_s": statistics.median(run["setup_s"] for run in runs),
        "result": runs[-1]["result"],
    }


def main(argv: list[str], cases: Mapping[str, Case], program: str) -> int:
    """Run the case named by ``argv[0]`` ``argv[1]`` times and print its JSON line.

    Args:
        argv: the command line's arguments, ``CASE REPEATS``.
        cases: the case script's cases by name.
        program: the case script's file name, for the usage message.

    Returns:
        0, or 2 (after a usage message on stderr) when the arguments are not as expected.
    """
    if len(argv) != 2 or argv[0] not in cases or not argv[1].isdigit() or int(argv[1]) < 1:
        print(
            f"usage: {program} CASE REPEATS, got {argv!r}; CASE is one of "
            f"{', '.join(cases)} and REPEATS a whole number of at least 1",
            file=sys.stderr,
        )
        return 2
    case, repeats = argv[0], int(argv[1])
    report = cases[case](repeats)
    print(json.dumps({"case": case, "repeats": repeats, **report}))
    return 0
