"""`CronSchedule` and `FixedRate`: when a launch plan fires, with flytekit's names.

A schedule here only describes; it is checked when a launch plan takes it (so the message
can name the plan) and it becomes an `updraft.model.ScheduleSpec`. The server's scheduler
computes the fire times; this module never runs anything. croniter is imported only when a
cron expression is checked, so ``import updraft`` stays cheap.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from updraft.model import ScheduleSpec

_ALIASES = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")


class CronSchedule:
    """Fire at the times a cron expression names, on the wall clock of a time zone.

    A local time repeated when clocks fall back fires once; a local time skipped when they
    spring forward fires once, at the first valid instant after it.

    Args:
        schedule: five fields, ``minute hour day-of-month month day-of-week`` (e.g.
            ``"0 * * * *"`` hourly, ``"30 1 * * MON-FRI"``), or an alias such as ``"@daily"``.
        timezone: an IANA zone name; ``"UTC"`` by default.
        kickoff_time_input_arg: the workflow input (a ``datetime``) that receives each
            launch's scheduled time.

    Example::

        CronSchedule("0 6 * * *", timezone="Europe/Berlin", kickoff_time_input_arg="day")
    """

    def __init__(
        self,
        schedule: str,
        *,
        timezone: str = "UTC",
        kickoff_time_input_arg: str | None = None,
    ) -> None:
        self.schedule = schedule
        self.timezone = timezone
        self.kickoff_time_input_arg = kickoff_time_input_arg

    def validate(self) -> None:
        """Check the expression and the time zone.

        Raises:
            ValueError: saying which one is wrong and how to write it.
        """
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {self.timezone!r}; use an IANA name such as 'UTC', "
                "'Europe/Berlin' or 'America/New_York'"
            ) from None
        from croniter import CroniterBadDateError, croniter  # type: ignore[import-untyped]

        text = self.schedule.strip() if isinstance(self.schedule, str) else ""
        if text.lower() not in _ALIASES and (
            len(text.split()) != 5 or not croniter.is_valid(text)
        ):
            raise ValueError(
                f"invalid cron expression {self.schedule!r}; expected five fields 'minute hour "
                "day-of-month month day-of-week' (e.g. '0 * * * *' for hourly) or one of "
                f"{', '.join(_ALIASES)}"
            )
        try:
            croniter(text, datetime(2000, 1, 1)).get_next(datetime)
        except CroniterBadDateError:
            raise ValueError(
                f"cron expression {self.schedule!r} never fires (no such day, e.g. 30 "
                "February); check its day-of-month and month fields"
            ) from None

    def to_model(self) -> ScheduleSpec:
        """The wire form."""
        return ScheduleSpec(cron=self.schedule.strip(), timezone=self.timezone)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CronSchedule) and (
            self.schedule, self.timezone, self.kickoff_time_input_arg
        ) == (other.schedule, other.timezone, other.kickoff_time_input_arg)

    def __hash__(self) -> int:
        return hash((self.schedule, self.timezone, self.kickoff_time_input_arg))

    def __repr__(self) -> str:
        return f"CronSchedule({self.schedule!r}, timezone={self.timezone!r})"


class FixedRate:
    """Fire every ``duration``, counted from when the plan is created (or activated).

    Args:
        duration: the interval; must be positive.
        kickoff_time_input_arg: the workflow input (a ``datetime``) that receives each
            launch's scheduled time.

    Example::

        FixedRate(timedelta(minutes=10))
    """

    def __init__(self, duration: timedelta, *, kickoff_time_input_arg: str | None = None) -> None:
        self.duration = duration
        self.kickoff_time_input_arg = kickoff_time_input_arg

    def validate(self) -> None:
        """Check the interval.

        Raises:
            ValueError: the duration is not a positive timedelta.
        """
        if not isinstance(self.duration, timedelta) or self.duration <= timedelta(0):
            raise ValueError(
                f"a fixed rate needs a positive timedelta, got {self.duration!r}; write e.g. "
                "FixedRate(timedelta(minutes=10))"
            )

    def to_model(self) -> ScheduleSpec:
        """The wire form."""
        return ScheduleSpec(fixed_rate_s=self.duration.total_seconds())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FixedRate) and (self.duration, self.kickoff_time_input_arg) == (
            other.duration,
            other.kickoff_time_input_arg,
        )

    def __hash__(self) -> int:
        return hash((self.duration, self.kickoff_time_input_arg))

    def __repr__(self) -> str:
        return f"FixedRate({self.duration!r})"
