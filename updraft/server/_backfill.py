"""Backfills: launching the times of a schedule in a past range, each once."""

from __future__ import annotations

from datetime import UTC, datetime

from updraft.model import EntityId, LaunchPlanSpec
from updraft.server._errors import BadRequestError
from updraft.server._launcher import Launcher, new_execution_id
from updraft.server._schedule_times import fire_times
from updraft.store import RegistryStore


def backfill_range(
    registry: RegistryStore, launcher: Launcher, plan_id: EntityId, start: datetime, end: datetime
) -> dict[datetime, str]:
    """Launch each scheduled time after ``start`` and up to ``end`` (at most now) that has
    not fired yet.

    Times are recorded as fires like the scheduler's, so neither a second backfill nor the
    scheduler launches them again.

    Raises:
        BadRequestError: the plan has no schedule, or the range is empty or reversed.
    """
    spec, _ = registry.get_entity("launch_plan", plan_id)
    assert isinstance(spec, LaunchPlanSpec)
    if spec.schedule is None:
        raise BadRequestError(
            f"launch plan {plan_id} has no schedule, so there is nothing to backfill; "
            "launch it with `updraft launch` (POST /api/v1/executions) instead"
        )
    start, end = _aware(start), min(_aware(end), datetime.now(UTC))  # no future times
    if end <= start:
        raise BadRequestError(f"backfill range is empty: 'end' ({end}) is not after 'start'")
    anchor = registry.launch_plan_activated_at(plan_id)
    launched: dict[datetime, str] = {}
    for scheduled_at in fire_times(spec.schedule, start, end, anchor=anchor):
        execution_id = new_execution_id()
        if registry.record_fire(plan_id, scheduled_at, execution_id):
            launched[scheduled_at] = launcher.launch_scheduled(
                plan_id, scheduled_at, execution_id
            ).id
    return launched


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
