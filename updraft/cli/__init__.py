"""The ``updraft`` command. One module per command; each parses, calls and prints."""

from __future__ import annotations

import click

from updraft.cli._get import get_group
from updraft.cli._package import package_command
from updraft.cli._run import run_command
from updraft.cli._serve import serve_command


@click.group()
@click.version_option(package_name="updraft")
def main() -> None:
    """updraft: typed, cached, versioned workflows without Kubernetes."""


main.add_command(run_command)
main.add_command(get_group)
main.add_command(package_command)
main.add_command(serve_command)

__all__ = ["main"]
