"""When a schedule fires: cron in a time zone, or a fixed rate, and what is due after downtime.

Pure functions over `updraft.model.ScheduleSpec`: no clock, no store, no I/O. The scheduler
service passes the current time in, so tests drive these with a controlled clock.

Cron is evaluated on the local wall clock of the schedule's time zone, then mapped to UTC:

- a local time that occurs twice (the fall-back hour) fires once, at its first occurrence,
  so a daily 01:30 job runs once on that day. Only a cron whose hour field is ``*`` fires in
  both occurrences of the repeated hour, because it asks for "every hour" and the repeated
  hour is a real hour (as Vixie cron does);
- a local time that does not exist (the spring-forward gap) fires once, at the first valid
  instant after it (03:00 local when the clocks jump from 02:00 to 03:00); several missing
  times, and a real time at that instant, collapse into that one fire.

A fixed rate fires every N seconds after an anchor (the plan's creation time), never at the
anchor itself. All datetimes given must be aware; all returned are aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from updraft.model import CATCH_UP_POLICIES, ScheduleSpec

#: A scheduled time this close to ``now`` is on time, not missed (see `due_fires`).
DEFAULT_GRACE = timedelta(seconds=60)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SLACK = timedelta(hours=3)  # more than any daylight-saving shift
_US = timedelta(microseconds=1)
_ALIASES = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
# Backward search windows for the newest fire before a time; the last covers any valid cron.
_WINDOWS = (timedelta(days=2), timedelta(days=40), timedelta(days=400), timedelta(days=3000))


def validate_schedule(schedule: ScheduleSpec) -> None:
    """Check a schedule before it is stored, so a bad one fails at registration.

    Raises:
        ValueError: neither or both of cron and fixed rate, a rate that is not positive,
            a cron expression that is not five fields (or an ``@daily``-style alias) or
            never fires, or an unknown time zone. The message says what to fix.
    """
    if (schedule.cron is None) == (schedule.fixed_rate_s is None):
        raise ValueError(
            "a schedule needs exactly one of a cron expression and a fixed rate, got "
            f"cron={schedule.cron!r}, fixed_rate_s={schedule.fixed_rate_s!r}"
        )
    if schedule.fixed_rate_s is not None:
        if not schedule.fixed_rate_s > 0:
            raise ValueError(
                f"a fixed rate must be a positive number of seconds, got "
                f"{schedule.fixed_rate_s!r}"
            )
        return
    _zone(schedule.timezone)
    _cron(schedule.cron or "", datetime(2000, 1, 1))
    next_fire(schedule, datetime.now(UTC))


def fire_times(
    schedule: ScheduleSpec, after: datetime, until: datetime, *, anchor: datetime | None = None
) -> list[datetime]:
    """Every time ``schedule`` fires strictly after ``after`` and at or before ``until``.

    This is also what a backfill of the range launches.

    Args:
        schedule: a cron or fixed-rate schedule.
        after: start of the range, excluded; aware.
        until: end of the range, included; aware.
        anchor: where a fixed rate counts from (the plan's creation time); the Unix epoch
            when not given. Ignored for cron.

    Returns:
        Aware UTC datetimes, ascending, without duplicates.

    Raises:
        ValueError: a naive datetime, or an invalid schedule.

    Example::

        fire_times(ScheduleSpec(cron="30 1 * * *", timezone="America/New_York"),
                   datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC))
        # [datetime(2026, 11, 1, 5, 30, tzinfo=UTC)]  -- 01:30 EDT, once
    """
    after, until = _aware(after, "after"), _aware(until, "until")
    if until <= after:
        return []
    if schedule.fixed_rate_s is not None:
        return _rate_times(schedule.fixed_rate_s, _anchor(anchor), after, until)
    if schedule.cron is None:
        raise ValueError("a schedule needs a cron expression or a fixed rate; it has neither")
    zone = _zone(schedule.timezone)
    first = after.astimezone(zone).replace(tzinfo=None) - _SLACK
    last = until.astimezone(zone).replace(tzinfo=None) + _SLACK
    iterator = _cron(schedule.cron, first)
    every_hour = iterator.expanded[1] == ["*"]
    found: set[datetime] = set()
    while True:
        local = _next_local(iterator, schedule.cron)
        if local > last:
            break
        for instant in _instants(local, zone, every_hour):
            if after < instant <= until:
                found.add(instant)
    return sorted(found)


def next_fire(
    schedule: ScheduleSpec, after: datetime, *, anchor: datetime | None = None
) -> datetime:
    """The first time ``schedule`` fires strictly after ``after`` (aware UTC).

    Raises:
        ValueError: a naive datetime, or a schedule that never fires.
    """
    after = _aware(after, "after")
    if schedule.fixed_rate_s is not None:
        step = _step(schedule.fixed_rate_s)
        return _rate_times(schedule.fixed_rate_s, _anchor(anchor), after, after + step)[0]
    for window in (*_WINDOWS, timedelta(days=366 * 30)):
        times = fire_times(schedule, after, after + window)
        if times:
            return times[0]
    raise ValueError(f"cron schedule {schedule.cron!r} never fires; check its day and month")


def due_fires(
    schedule: ScheduleSpec,
    last_fired: datetime | None,
    now: datetime,
    catch_up: str,
    created_at: datetime,
    *,
    grace: timedelta = DEFAULT_GRACE,
) -> list[datetime]:
    """The scheduled times to launch now, after the last one launched.

    Times after ``last_fired`` (or after ``created_at`` when nothing fired yet) and at or
    before ``now`` are due. A time within ``grace`` of ``now`` is on time; older ones were
    missed (the server was down), and ``catch_up`` decides about those:

    - ``"all"``: launch every missed time, oldest first;
    - ``"latest"``: launch only the newest due time;
    - ``"none"``: launch no missed time, only the on-time ones.

    Recording each launched time as the new ``last_fired`` is what makes every time fire
    once across restarts.

    Args:
        schedule: the plan's schedule.
        last_fired: the newest scheduled time already launched, or None.
        now: the current time (aware).
        catch_up: one of `updraft.model.CATCH_UP_POLICIES`.
        created_at: when the plan was created or activated: fixed rates count from it, and
            nothing before it is due.
        grace: how late a time may be and still count as on time.

    Returns:
        Aware UTC datetimes, ascending.

    Raises:
        ValueError: an unknown policy, a naive datetime or an invalid schedule.
    """
    if catch_up not in CATCH_UP_POLICIES:
        raise ValueError(
            f"unknown catch-up policy {catch_up!r}; use one of {', '.join(CATCH_UP_POLICIES)}"
        )
    now, created_at = _aware(now, "now"), _aware(created_at, "created_at")
    start = created_at if last_fired is None else max(_aware(last_fired, "last_fired"), created_at)
    if now <= start:
        return []
    if catch_up == "all":
        return fire_times(schedule, start, now, anchor=created_at)
    if catch_up == "none":
        return fire_times(schedule, max(start, now - grace), now, anchor=created_at)
    newest = _newest(schedule, start, now, created_at)
    return [] if newest is None else [newest]


def _newest(
    schedule: ScheduleSpec, start: datetime, now: datetime, anchor: datetime
) -> datetime | None:
    """The newest fire in (start, now], found without listing a long downtime's fires."""
    if schedule.fixed_rate_s is not None:
        step_us = _step(schedule.fixed_rate_s) // _US
        count = ((now - anchor) // _US) // step_us
        newest = anchor + count * step_us * _US
        return newest if count >= 1 and newest > start else None
    for window in (*_WINDOWS, now - start):
        times = fire_times(schedule, max(start, now - window), now)
        if times:
            return times[-1]
        if now - window <= start:
            return None
    return None


def _instants(local: datetime, zone: ZoneInfo, every_hour: bool) -> list[datetime]:
    """The UTC instants a local wall-clock time stands for, by the rules in the docstring."""
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first == second:
        return [first]
    if _wall(first, zone) == local and _wall(second, zone) == local:  # repeated hour
        return sorted({first, second}) if every_hour else [min(first, second)]
    return [_gap_end(min(first, second), max(first, second), local, zone)]


def _gap_end(low: datetime, high: datetime, local: datetime, zone: ZoneInfo) -> datetime:
    """The first whole second in [low, high] whose wall-clock time is at or after ``local``:
    the moment the clocks jumped over it."""
    lo, hi = int(low.timestamp()), int(high.timestamp())
    while hi - lo > 1:
        middle = (lo + hi) // 2
        if _wall(datetime.fromtimestamp(middle, UTC), zone) >= local:
            hi = middle
        else:
            lo = middle
    return datetime.fromtimestamp(hi, UTC)


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def _rate_times(
    rate_s: float, anchor: datetime, after: datetime, until: datetime
) -> list[datetime]:
    step_us = _step(rate_s) // _US
    k = max(((after - anchor) // _US) // step_us + 1, 1)
    times: list[datetime] = []
    while True:
        instant = anchor + k * step_us * _US
        if instant > until:
            return times
        times.append(instant)
        k += 1


def _step(rate_s: float) -> timedelta:
    step = timedelta(seconds=rate_s)
    if step < _US:
        raise ValueError(f"a fixed rate must be a positive number of seconds, got {rate_s!r}")
    return step


def _anchor(anchor: datetime | None) -> datetime:
    return _EPOCH if anchor is None else _aware(anchor, "anchor")


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{name} must be an aware datetime (with a time zone), got naive {value.isoformat()}"
        )
    return value.astimezone(UTC)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name such as 'UTC', "
            "'Europe/Berlin' or 'America/New_York'"
        ) from None


def _cron(expression: str, start: datetime) -> Any:
    """A croniter over naive local times; croniter is imported here to keep imports cheap."""
    from croniter import croniter  # type: ignore[import-untyped]

    text = expression.strip()
    fields = text.split()
    if text.lower() not in _ALIASES and (len(fields) != 5 or not croniter.is_valid(text)):
        raise ValueError(
            f"invalid cron expression {expression!r}; expected five fields 'minute hour "
            "day-of-month month day-of-week' (e.g. '0 * * * *' for hourly) or one of "
            f"{', '.join(_ALIASES)}"
        )
    return croniter(text, start)


def _next_local(iterator: Any, expression: str) -> datetime:
    from croniter import CroniterBadDateError

    try:
        local: datetime = iterator.get_next(datetime)
    except CroniterBadDateError:
        raise ValueError(
            f"cron expression {expression!r} never fires (no such day, e.g. 30 February); "
            "check its day-of-month and month fields"
        ) from None
    return local
