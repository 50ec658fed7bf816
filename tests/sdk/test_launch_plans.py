"""Launch plans: inputs bound and checked at creation, schedules, the default plan."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest

from updraft import CronSchedule, File, FixedRate, LaunchPlan, task, workflow
from updraft.model import CATCH_UP_POLICIES, LaunchPlanSpec, ScheduleSpec
from updraft.sdk import LaunchPlanError

_names = itertools.count()


def fresh(stem: str) -> str:
    """Plan names are global to the process, so each test takes its own."""
    return f"{stem}_{next(_names)}"


@task
def scale(x: int, factor: float) -> float:
    return x * factor


@task
def stamp(day: datetime, n: int) -> str:
    return f"{day.isoformat()}:{n}"


@task
def size(data: File) -> int:
    return 1


@workflow
def scaled(x: int, factor: float = 2.0) -> float:
    return scale(x=x, factor=factor)


@workflow
def daily(day: datetime, n: int = 1) -> str:
    return stamp(day=day, n=n)


@workflow
def sized(data: File = File("data.csv"), copies: int = 1) -> int:
    return size(data=data)


def test_inputs_become_literals_in_the_spec() -> None:
    name = fresh("scaled")
    plan = LaunchPlan.get_or_create(
        scaled, name, default_inputs={"factor": 3.5}, fixed_inputs={"x": 4},
        labels={"team": "ml"}, max_concurrency=2,
    )
    assert plan.name == name
    assert plan.workflow is scaled
    assert isinstance(plan.spec, LaunchPlanSpec)
    assert plan.spec.workflow == scaled.name
    assert plan.spec.default_inputs["factor"].value == 3.5  # type: ignore[union-attr]
    assert plan.spec.fixed_inputs["x"].value == 4  # type: ignore[union-attr]
    assert plan.spec.labels == {"team": "ml"}
    assert plan.spec.max_concurrency == 2
    assert plan.spec.catch_up == "latest"
    assert plan.spec.schedule is None


def test_default_plan_is_named_after_the_workflow() -> None:
    plan = LaunchPlan.get_or_create(daily)
    assert plan.name == daily.name
    assert LaunchPlan.get_or_create(daily) is plan
    assert plan in LaunchPlan.registered()


def test_same_name_same_definition_returns_the_same_plan() -> None:
    name = fresh("same")
    first = LaunchPlan.get_or_create(scaled, name, fixed_inputs={"x": 1})
    assert LaunchPlan.get_or_create(scaled, name, fixed_inputs={"x": 1}) is first


def test_same_name_other_definition_is_refused() -> None:
    name = fresh("taken")
    LaunchPlan.get_or_create(scaled, name, fixed_inputs={"x": 1})
    with pytest.raises(LaunchPlanError, match=f"'{name}'.*already defined.*another name"):
        LaunchPlan.get_or_create(scaled, name, fixed_inputs={"x": 2})


def test_unknown_input_names_the_plan_and_lists_the_inputs() -> None:
    name = fresh("unknown")
    with pytest.raises(LaunchPlanError) as err:
        LaunchPlan.get_or_create(scaled, name, default_inputs={"y": 1})
    assert name in str(err.value)
    assert "'y'" in str(err.value)
    assert "x, factor" in str(err.value)


def test_fixed_and_default_at_once_is_refused() -> None:
    with pytest.raises(LaunchPlanError, match="'x' are both default and fixed"):
        LaunchPlan.get_or_create(
            scaled, fresh("both"), default_inputs={"x": 1}, fixed_inputs={"x": 2}
        )


def test_wrong_type_names_the_input_and_the_expected_type() -> None:
    with pytest.raises(LaunchPlanError, match="input 'x' expects int, got str"):
        LaunchPlan.get_or_create(scaled, fresh("typed"), fixed_inputs={"x": "four"})


def test_file_inputs_must_stay_workflow_defaults() -> None:
    with pytest.raises(LaunchPlanError, match=r"'data'.*blob.*workflow's default"):
        LaunchPlan.get_or_create(sized, fresh("file"), fixed_inputs={"data": File("other.csv")})
    plan = LaunchPlan.get_or_create(sized, fresh("file_ok"), fixed_inputs={"copies": 3})
    assert set(plan.spec.fixed_inputs) == {"copies"}


def test_cron_schedule_with_kickoff_time() -> None:
    schedule = CronSchedule("30 1 * * *", timezone="Europe/Berlin", kickoff_time_input_arg="day")
    plan = LaunchPlan.get_or_create(daily, fresh("nightly"), schedule=schedule, catch_up="all")
    assert plan.spec.schedule == ScheduleSpec(cron="30 1 * * *", timezone="Europe/Berlin")
    assert plan.spec.kickoff_time_input_arg == "day"
    assert plan.spec.catch_up == "all"
    assert plan.schedule is schedule


def test_fixed_rate_schedule() -> None:
    plan = LaunchPlan.get_or_create(
        scaled, fresh("rate"), fixed_inputs={"x": 1}, schedule=FixedRate(timedelta(seconds=3))
    )
    assert plan.spec.schedule == ScheduleSpec(fixed_rate_s=3.0)
    assert plan.spec.kickoff_time_input_arg is None


def test_kickoff_input_must_be_a_datetime_input() -> None:
    with pytest.raises(LaunchPlanError, match=r"'when' is not an input.*day, n"):
        LaunchPlan.get_or_create(
            daily, fresh("kick"), schedule=CronSchedule("@daily", kickoff_time_input_arg="when")
        )
    with pytest.raises(LaunchPlanError, match=r"'n' must be a datetime input.*int"):
        LaunchPlan.get_or_create(
            daily, fresh("kick"), fixed_inputs={"day": datetime(2026, 1, 1)},
            schedule=CronSchedule("@daily", kickoff_time_input_arg="n"),
        )


def test_scheduled_plan_must_supply_required_inputs() -> None:
    with pytest.raises(LaunchPlanError, match="'x' has none; add it to default_inputs"):
        LaunchPlan.get_or_create(scaled, fresh("sched"), schedule=CronSchedule("0 * * * *"))


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        (CronSchedule("61 * * * *"), "invalid cron expression '61 \\* \\* \\* \\*'"),
        (CronSchedule("0 * * *"), "expected five fields"),
        (CronSchedule("0 0 30 2 *"), "never fires"),
        (CronSchedule("0 * * * *", timezone="Mars/Olympus"), "unknown time zone 'Mars/Olympus'"),
        (FixedRate(timedelta(0)), "positive timedelta"),
    ],
)
def test_bad_schedule_names_the_plan(schedule: CronSchedule | FixedRate, expected: str) -> None:
    name = fresh("bad")
    with pytest.raises(LaunchPlanError, match=f"launch plan '{name}'.*{expected}"):
        LaunchPlan.get_or_create(scaled, name, fixed_inputs={"x": 1}, schedule=schedule)


def test_unknown_catch_up_policy_lists_the_policies() -> None:
    with pytest.raises(LaunchPlanError) as err:
        LaunchPlan.get_or_create(scaled, fresh("catch"), catch_up="some")
    assert all(policy in str(err.value) for policy in CATCH_UP_POLICIES)


def test_not_a_workflow_is_refused() -> None:
    with pytest.raises(LaunchPlanError, match="needs a workflow"):
        LaunchPlan.get_or_create(scale, fresh("task"))


def test_calling_a_plan_runs_the_workflow_and_keeps_fixed_inputs() -> None:
    plan = LaunchPlan.get_or_create(scaled, fresh("call"), fixed_inputs={"x": 3})
    assert plan(factor=2.0) == 6.0
    with pytest.raises(LaunchPlanError, match="'x' are fixed"):
        plan(x=5)
