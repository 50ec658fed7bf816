"""``updraft launchplan activate|deactivate``: turn a launch plan's schedule on or off."""

from __future__ import annotations

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
