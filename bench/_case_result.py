"""The times of one benchmark case, as either side's case script reported them.

Both ``updraft_cases.py`` and ``flytekit_cases.py`` print the same JSON object; this turns it
into one value the driver can compare, whichever side it came from.
"""

from __future__ import annotations

import dataclasses
import json
import statistics
from typing import Any

_KNOWN_FIELDS = {"case", "repeats", "times", "units", "setup_s", "result"}


@dataclasses.dataclass(frozen=True)
class CaseResult:
    """The times of one case.

    Attributes:
        case: the case's name.
        times: seconds of each timed repeat.
        units: tasks (or nodes) one repeat covers; 1 for whole-pipeline and import cases.
        setup_s: seconds spent building and compiling the workflow, outside the timing.
        result: what the workflow returned in the last repeat.
        extra: any other fields of the report (e.g. ``fill_s``, the run that filled the cache).
        per_unit: whether the headline figure is milliseconds per unit rather than seconds.
    """

    case: str
    times: list[float]
    units: int
    setup_s: float
    result: Any
    extra: dict[str, Any]
    per_unit: bool

    @classmethod
    def from_stdout(cls, case: str, stdout: str, *, per_unit: bool) -> CaseResult:
        """Read the JSON object on the last line of a case script's output.

        Raises:
            ValueError: when the last line is not the JSON object the case scripts print.
        """
        lines = stdout.strip().splitlines()
        try:
            report: dict[str, Any] = json.loads(lines[-1])
            times = [float(t) for t in report["times"]]
            units = int(report["units"])
        except (IndexError, ValueError, KeyError, TypeError) as error:
            tail = lines[-1][:200] if lines else "(no output)"
            raise ValueError(
                f"case {case!r} should end its output with a JSON object holding 'times' and "
                f"'units', got {tail!r} ({error}); run its case script by hand to see why"
            ) from error
        return cls(
            case=case,
            times=times,
            units=units,
            setup_s=float(report.get("setup_s", 0.0)),
            result=report.get("result"),
            extra={k: v for k, v in report.items() if k not in _KNOWN_FIELDS},
            per_unit=per_unit,
        )

    @property
    def median_s(self) -> float:
        """Median seconds of one repeat."""
        return statistics.median(self.times)

    @property
    def figure(self) -> float:
        """The headline figure: ms per task (or node) for the per-unit cases, else seconds."""
        if self.per_unit:
            return self.median_s / self.units * 1000.0
        return self.median_s

    def as_json(self) -> dict[str, Any]:
        """Every field plus the median and the figure, for results.json."""
        return dataclasses.asdict(self) | {"median_s": self.median_s, "figure": self.figure}
