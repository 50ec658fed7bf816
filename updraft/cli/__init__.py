"""The ``updraft`` command. One module per command; each parses, calls and prints."""

from __future__ import annotations

import click

from updraft.cli._cache import cache_group
from updraft.cli._control import (
    logs_command,
    recover_command,
    relaunch_command,
    terminate_command,
)
from updraft.cli._get import get_group
from updraft.cli._init import init_command
from updraft.cli._launch import launch_command
from updraft.cli._launchplan import launchplan_group
from updraft.cli._package import package_command
from updraft.cli._project import project_group
from updraft.cli._register import register_command
from updraft.cli._run import run_command
from updraft.cli._serve import serve_command
from updraft.cli._worker import worker_command


@click.group()
@click.version_option(package_name="updraft")
def main() -> None:
    """updraft: typed, cached, versioned workflows without Kubernetes."""


main.add_command(run_command)
main.add_command(get_group)
main.add_command(package_command)
main.add_command(serve_command)
main.add_command(register_command)
main.add_command(launch_command)
main.add_command(logs_command)
main.add_command(terminate_command)
main.add_command(relaunch_command)
main.add_command(recover_command)
main.add_command(launchplan_group)
main.add_command(project_group)
main.add_command(init_command)
main.add_command(worker_command)
main.add_command(cache_group)

__all__ = ["main"]
