"""``updraft launchplan activate|deactivate|backfill``: turn a launch plan's schedule on or
off, or launch the scheduled times of a past range."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from updraft.cli._launch import find_name
from updraft.cli._remote import client_for, remote_options, server_errors, settings


@click.group("launchplan")
def launchplan_group() -> None:
    """Manage registered launch plans."""


def _set(active: bool, endpoint: str | None, project: str | None, domain: str | None,
         version: str | None, name: str) -> None:
    config = settings(endpoint, project, domain)
    with client_for(config) as client, server_errors():
        full = find_name(client, "launch_plan", config, name)
        change = client.activate_launch_plan if active else client.deactivate_launch_plan
        state = change(config.project, config.domain, full, version)
    click.echo(f"launch plan {state.id} {'active' if state.active else 'inactive'}")


@launchplan_group.command("activate")
@remote_options
@click.option("--version", metavar="V", help="The version to activate (the latest by default).")
@click.argument("name")
def activate_command(endpoint: str | None, project: str | None, domain: str | None,
                     version: str | None, name: str) -> None:
    """Activate launch plan NAME: its schedule fires; its other versions are deactivated."""
    _set(True, endpoint, project, domain, version, name)


@launchplan_group.command("deactivate")
@remote_options
@click.option("--version", metavar="V", help="The version (the latest by default).")
@click.argument("name")
def deactivate_command(endpoint: str | None, project: str | None, domain: str | None,
                       version: str | None, name: str) -> None:
    """Deactivate launch plan NAME: its schedule stops firing."""
    _set(False, endpoint, project, domain, version, name)


_TIME_FORMATS = ["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"]


@launchplan_group.command("backfill")
@remote_options
@click.option("--version", metavar="V", help="The version (the latest by default).")
@click.option("--from", "start", required=True, type=click.DateTime(_TIME_FORMATS),
              help="Start of the range (excluded), e.g. 2026-11-01T00:00; UTC unless it "
              "carries an offset.")
@click.option("--to", "end", required=True, type=click.DateTime(_TIME_FORMATS),
              help="End of the range (included).")
@click.argument("name")
def backfill_command(endpoint: str | None, project: str | None, domain: str | None,
                     version: str | None, start: datetime, end: datetime, name: str) -> None:
    """Launch every scheduled time of launch plan NAME in a range that has not run yet.

    Times are recorded like the schedule's, so the scheduler and later backfills never
    launch them again.
    """
    config = settings(endpoint, project, domain)
    with client_for(config) as client, server_errors():
        full = find_name(client, "launch_plan", config, name)
        done = client.backfill(config.project, config.domain, full, _utc(start), _utc(end),
                               version)
    for scheduled, execution_id in sorted(done.launched.items()):
        click.echo(f"{scheduled}  {execution_id}")
    click.echo(f"launched {len(done.launched)} execution(s)", err=True)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
