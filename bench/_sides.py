"""What both sides of the benchmarks share: running a case script, and the command line.

``_updraft_side.py`` and ``_flytekit_side.py`` differ only in their cases, their interpreter
and the environment their case processes get. Everything else lives here once: each case runs
its side's case script in a fresh process whose working directory is a scratch folder
removed afterwards, and the JSON object on the last line of its output becomes a
``CaseResult``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from _case_result import CaseResult

TIMEOUT_S = 900
"""A case still running after this many seconds is stopped and reported as failed."""

Runner = Callable[[str, int | None], CaseResult]
"""Runs one case with the given repeats (the case's default when None)."""


@dataclasses.dataclass(frozen=True)
class Side:
    """One side of the benchmarks: its case script and the cases it knows.

    Attributes:
        name: ``updraft`` or ``flytekit``; names the scratch folders and failures.
        script: the case script, run as ``PYTHON SCRIPT CASE REPEATS``.
        cases: case name -> (default repeats, what its figure measures).
        per_unit: the cases whose figure is milliseconds per task or node.
    """

    name: str
    script: Path
    cases: Mapping[str, tuple[int, str]]
    per_unit: frozenset[str]

    def repeats_for(self, case: str, repeats: int | None) -> int:
        """``repeats``, or the case's default when None.

        Raises:
            ValueError: for a case this side does not know.
        """
        if case not in self.cases:
            raise ValueError(
                f"unknown {self.name} case {case!r}; expected one of {', '.join(self.cases)}"
            )
        return self.cases[case][0] if repeats is None else repeats

    def run(
        self,
        case: str,
        repeats: int | None,
        *,
        python: Path,
        environment: Callable[[str], dict[str, str]],
    ) -> CaseResult:
        """Time ``case`` with ``python`` in a scratch folder and read back its times.

        Args:
            case: one of ``cases``.
            repeats: how many timed repeats (the case's default when None).
            python: the interpreter that runs the case script.
            environment: the case process's whole environment, given the scratch folder.

        Returns:
            The case's times and figure.

        Raises:
            ValueError: for an unknown case.
            RuntimeError: when the case fails in its process; the message carries its stderr.
            subprocess.TimeoutExpired: when the case runs longer than ``TIMEOUT_S``.
        """
        count = self.repeats_for(case, repeats)
        with tempfile.TemporaryDirectory(prefix=f"updraft-bench-{self.name}-") as scratch:
            done = subprocess.run(
                [str(python), str(self.script), case, str(count)],
                capture_output=True,
                text=True,
                env=environment(scratch),
                cwd=scratch,
                check=False,
                timeout=TIMEOUT_S,
            )
        if done.returncode != 0 or not done.stdout.strip():
            raise RuntimeError(
                f"{self.name} case {case!r} failed (exit {done.returncode}); its stderr ends "
                f"with:\n{done.stderr[-4000:]}"
            )
        return CaseResult.from_stdout(case, done.stdout, per_unit=case in self.per_unit)


def main(
    side: Side,
    argv: list[str] | None,
    *,
    description: str,
    name_width: int,
    prepare: Callable[[], Runner],
) -> int:
    """Print the figures of the chosen cases of ``side`` (all by default).

    Args:
        side: the side whose cases run.
        argv: the command line's arguments (``sys.argv[1:]`` when None).
        description: the ``--help`` text's first line.
        name_width: the column the case names are padded to.
        prepare: called once the arguments are valid; returns what runs one case (so that
            building an environment waits until it is needed).
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("cases", nargs="*", metavar="CASE", help=f"of: {', '.join(side.cases)}")
    parser.add_argument("-r", "--repeats", type=int, default=None, help="timed repeats")
    parser.add_argument("--json", action="store_true", help="one JSON object per case")
    args = parser.parse_args(argv)
    unknown = [case for case in args.cases if case not in side.cases]
    if unknown:
        parser.error(
            f"unknown case(s) {', '.join(unknown)}; expected some of {', '.join(side.cases)}"
        )
    run_case = prepare()
    for case in args.cases or list(side.cases):
        result = run_case(case, args.repeats)
        if args.json:
            print(json.dumps(result.as_json()))
        else:
            print(
                f"{case:{name_width}} {result.figure:10.4f}  {side.cases[case][1]}"
                f"  (result {result.result})"
            )
    return 0
