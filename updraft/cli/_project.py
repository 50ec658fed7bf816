"""``updraft project create|list``: the projects on the server."""

from __future__ import annotations

import click

from updraft.cli._remote import client_for, endpoint_option, server_errors, settings


@click.group("project")
def project_group() -> None:
    """Manage projects; each has the domains development, staging and production."""


@project_group.command("create")
@endpoint_option
@click.option("--name", default="", help="A display name (the id by default).")
@click.option("--description", default="", help="What the project is for.")
@click.argument("project_id", metavar="ID")
def create_command(endpoint: str | None, name: str, description: str, project_id: str) -> None:
    """Create project ID (creating one that exists changes nothing)."""
    config = settings(endpoint)
    with client_for(config) as client, server_errors():
        project = client.create_project(project_id, name, description)
    click.echo(f"project {project.id}")


@project_group.command("list")
@endpoint_option
def list_command(endpoint: str | None) -> None:
    """List the projects: id, name and description."""
    config = settings(endpoint)
    with client_for(config) as client, server_errors():
        projects = client.list_projects()
    for project in projects:
        line = project.id
        if project.name and project.name != project.id:
            line += f"  {project.name}"
        if project.description:
            line += f"  {project.description}"
        click.echo(line)
