"""Fire times of schedules against a controlled clock, across both daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from updraft.model import ScheduleSpec
from updraft.server._schedule_times import due_fires, fire_times, next_fire, validate_schedule

NY = ZoneInfo("America/New_York")  # 2026: springs forward 03-08 02:00, falls back 11-01 02:00
BERLIN = ZoneInfo("Europe/Berlin")  # 2026: springs forward 03-29 02:00, falls back 10-25 03:00


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def local_day(zone: ZoneInfo, year: int, month: int, day: int) -> tuple[datetime, datetime]:
    """(midnight before the day, midnight ending it) as aware instants in ``zone``."""
    start = datetime(year, month, day, tzinfo=zone)
    return start - timedelta(microseconds=1), start + timedelta(days=1) - timedelta(
        microseconds=1
    )


def cron(expression: str, zone: str) -> ScheduleSpec:
    return ScheduleSpec(cron=expression, timezone=zone)


def test_daily_job_fires_once_on_the_fall_back_day_new_york() -> None:
    times = fire_times(cron("30 1 * * *", "America/New_York"), utc(2026, 10, 31), utc(2026, 11, 3))
    assert times == [utc(2026, 10, 31, 5, 30), utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]
    assert times[1].astimezone(NY).utcoffset() == timedelta(hours=-4)  # the first 01:30


def test_daily_job_fires_once_on_the_fall_back_day_berlin() -> None:
    times = fire_times(cron("30 2 * * *", "Europe/Berlin"), *local_day(BERLIN, 2026, 10, 25))
    assert times == [utc(2026, 10, 25, 0, 30)]  # 02:30 CEST, not again at 02:30 CET


def test_missing_local_time_fires_at_the_first_valid_instant_new_york() -> None:
    times = fire_times(cron("30 2 * * *", "America/New_York"), utc(2026, 3, 7), utc(2026, 3, 10))
    assert times == [utc(2026, 3, 7, 7, 30), utc(2026, 3, 8, 7, 0), utc(2026, 3, 9, 6, 30)]
    fired = times[1].astimezone(NY)
    assert (fired.hour, fired.minute) == (3, 0)


def test_missing_local_time_fires_at_the_first_valid_instant_berlin() -> None:
    times = fire_times(cron("30 2 * * *", "Europe/Berlin"), *local_day(BERLIN, 2026, 3, 29))
    assert times == [utc(2026, 3, 29, 1, 0)]
    assert times[0].astimezone(BERLIN).hour == 3


def test_hourly_job_follows_real_hours_across_both_changes() -> None:
    hourly = cron("0 * * * *", "America/New_York")
    spring = fire_times(hourly, *local_day(NY, 2026, 3, 8))
    fall = fire_times(hourly, *local_day(NY, 2026, 11, 1))
    assert len(spring) == 23
    assert len(fall) == 25
    for times in (spring, fall):
        assert all(b - a == timedelta(hours=1) for a, b in pairwise(times))


def test_minutes_inside_the_gap_collapse_into_one_fire() -> None:
    every_20 = cron("*/20 * * * *", "America/New_York")
    times = fire_times(every_20, utc(2026, 3, 8, 6, 30), utc(2026, 3, 8, 7, 30))
    # 01:40 EST, then 02:00/02:20/02:40 do not exist: one fire at 03:00 EDT, then 03:20 EDT.
    assert times == [utc(2026, 3, 8, 6, 40), utc(2026, 3, 8, 7, 0), utc(2026, 3, 8, 7, 20)]
    assert len(fire_times(every_20, *local_day(NY, 2026, 3, 8))) == 72 - 3
    assert len(fire_times(every_20, *local_day(NY, 2026, 11, 1))) == 72 + 3


def test_fixed_hours_in_the_repeated_hour_fire_once() -> None:
    listed = cron("0 1,2 * * *", "America/New_York")  # hours listed, not '*'
    times = fire_times(listed, *local_day(NY, 2026, 11, 1))
    assert times == [utc(2026, 11, 1, 5), utc(2026, 11, 1, 7)]  # 01:00 EDT, 02:00 EST


def test_next_fire() -> None:
    daily = cron("0 6 * * *", "Europe/Berlin")
    assert next_fire(daily, utc(2026, 3, 28, 5, 0)) == utc(2026, 3, 29, 4, 0)  # 06:00 CEST
    assert next_fire(daily, utc(2026, 3, 29, 4, 0)) == utc(2026, 3, 30, 4, 0)  # strictly after
    yearly = cron("0 0 29 2 *", "UTC")
    assert next_fire(yearly, utc(2026, 3, 1)) == utc(2028, 2, 29)


def test_fixed_rate_counts_from_the_anchor() -> None:
    rate = ScheduleSpec(fixed_rate_s=3)
    anchor = utc(2026, 1, 1, 12, 0, 0)
    times = fire_times(rate, anchor, anchor + timedelta(seconds=10), anchor=anchor)
    assert times == [anchor + timedelta(seconds=s) for s in (3, 6, 9)]
    later = anchor + timedelta(seconds=7)
    assert next_fire(rate, later, anchor=anchor) == anchor + timedelta(seconds=9)
    assert next_fire(rate, anchor + timedelta(seconds=9), anchor=anchor) == anchor + timedelta(
        seconds=12
    )


def test_backfill_range_includes_its_end_but_not_its_start() -> None:
    hourly = cron("0 * * * *", "UTC")
    times = fire_times(hourly, utc(2026, 5, 1), utc(2026, 5, 2))
    assert len(times) == 24
    assert times[0] == utc(2026, 5, 1, 1) and times[-1] == utc(2026, 5, 2)
    assert fire_times(hourly, utc(2026, 5, 2), utc(2026, 5, 1)) == []


CREATED = utc(2026, 6, 1, 0, 0)
HOURLY = ScheduleSpec(cron="0 * * * *")


def test_catch_up_all_launches_every_missed_time() -> None:
    now = utc(2026, 6, 1, 5, 10)
    due = due_fires(HOURLY, utc(2026, 6, 1, 1), now, "all", CREATED)
    assert due == [utc(2026, 6, 1, h) for h in (2, 3, 4, 5)]


def test_catch_up_latest_launches_only_the_newest() -> None:
    now = utc(2026, 6, 1, 5, 10)
    assert due_fires(HOURLY, utc(2026, 6, 1, 1), now, "latest", CREATED) == [utc(2026, 6, 1, 5)]
    # after a year of downtime, still one, found quickly
    assert due_fires(HOURLY, utc(2026, 6, 1, 1), utc(2027, 6, 1, 0, 30), "latest", CREATED) == [
        utc(2027, 6, 1, 0)
    ]


def test_catch_up_none_launches_only_what_is_on_time() -> None:
    missed = due_fires(HOURLY, utc(2026, 6, 1, 1), utc(2026, 6, 1, 5, 10), "none", CREATED)
    assert missed == []
    on_time = due_fires(HOURLY, utc(2026, 6, 1, 1), utc(2026, 6, 1, 5, 0, 2), "none", CREATED)
    assert on_time == [utc(2026, 6, 1, 5)]


@pytest.mark.parametrize("policy", ["all", "latest", "none"])
def test_nothing_is_due_twice_or_before_creation(policy: str) -> None:
    now = utc(2026, 6, 1, 3, 0, 1)
    assert due_fires(HOURLY, utc(2026, 6, 1, 3), now, policy, CREATED) == []
    assert due_fires(HOURLY, None, utc(2026, 5, 31, 23), policy, CREATED) == []
    assert due_fires(HOURLY, None, utc(2026, 6, 1, 1, 0, 1), policy, CREATED) == [
        utc(2026, 6, 1, 1)
    ]


def test_ticking_clock_fires_each_time_once_across_the_fall_back() -> None:
    """A scheduler ticking every minute through the night of 2026-11-01 in New York."""
    schedule = cron("30 1 * * *", "America/New_York")
    created = utc(2026, 11, 1, 3)
    last: datetime | None = None
    launched: list[datetime] = []
    now = created
    while now < utc(2026, 11, 1, 9):
        now += timedelta(minutes=1)
        due = due_fires(schedule, last, now, "latest", created)
        launched += due
        last = due[-1] if due else last
    assert launched == [utc(2026, 11, 1, 5, 30)]


def test_fixed_rate_catch_up_after_downtime() -> None:
    rate = ScheduleSpec(fixed_rate_s=2)
    created = utc(2026, 1, 1)
    now = created + timedelta(seconds=9)
    assert len(due_fires(rate, None, now, "all", created)) == 4
    assert due_fires(rate, None, now, "latest", created) == [created + timedelta(seconds=8)]
    assert due_fires(rate, created + timedelta(seconds=8), now, "latest", created) == []


def test_bad_input_is_refused_with_a_message() -> None:
    with pytest.raises(ValueError, match="unknown catch-up policy 'sometimes'"):
        due_fires(HOURLY, None, utc(2026, 6, 1), "sometimes", CREATED)
    with pytest.raises(ValueError, match="naive"):
        fire_times(HOURLY, datetime(2026, 1, 1), utc(2026, 1, 2))
    with pytest.raises(ValueError, match="unknown time zone 'Nowhere/City'"):
        validate_schedule(cron("0 * * * *", "Nowhere/City"))
    with pytest.raises(ValueError, match="invalid cron expression"):
        validate_schedule(cron("0 25 * * *", "UTC"))
    with pytest.raises(ValueError, match="never fires"):
        validate_schedule(cron("0 0 31 4 *", "UTC"))
    with pytest.raises(ValueError, match="exactly one"):
        validate_schedule(ScheduleSpec())
    validate_schedule(cron("@daily", "Europe/Berlin"))
