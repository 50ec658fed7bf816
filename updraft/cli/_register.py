"""``updraft register``: package workflow files and store them on the server under a version."""

from __future__ import annotations

import click

from updraft.cli._remote import client_for, fail, remote_options, server_errors, settings
from updraft.model import Registration


def build_registration(
    files: tuple[str, ...], project: str, domain: str, version: str | None
) -> tuple[Registration, bytes, list[str]]:
    """The registration and code archive of ``files``, and the files left out for size.

    Exits 2 (with the message) for a missing file, a task that cannot be registered or a
    workflow that does not compile.
    """
    from updraft.compiler import CompileError
    from updraft.runner import PackageBuildError, build_package
    from updraft.types import TypeAnnotationError

    try:
        build = build_package(files, version=version)
    except (FileNotFoundError, PackageBuildError, CompileError, TypeAnnotationError) as exc:
        fail(str(exc))
    registration = Registration(
        project=project,
        domain=domain,
        version=build.version,
        tasks=tuple(build.tasks),
        workflows=tuple(build.workflows),
        launch_plans=tuple(build.launch_plans),
    )
    return registration, build.archive, build.skipped


@click.command("register")
@remote_options
@click.option("--version", metavar="V",
              help="Version to register under (a hash of the code and specs by default).")
@click.argument("files", nargs=-1, required=True)
def register_command(
    endpoint: str | None, project: str | None, domain: str | None, version: str | None,
    files: tuple[str, ...],
) -> None:
    """Register the workflow FILEs: upload their project's code and store every task,
    workflow and launch plan they define under one version.

    Every workflow gets a default launch plan under its own name, which `updraft launch
    NAME` runs. Registering the same content again changes nothing; other content under a
    registered version is refused (choose a new --version, or leave it to the content hash).
    """
    config = settings(endpoint, project, domain)
    registration, archive, skipped = build_registration(
        files, config.project, config.domain, version
    )
    for path in skipped:
        click.echo(f"warning: left out {path}: too large to package (over 50 MiB)", err=True)
    with client_for(config) as client, server_errors():
        result = client.register(registration, archive)
    for label, entities in (("new", result.created), ("unchanged", result.existing)):
        for entity in entities:
            click.echo(f"{label:<10} {entity.kind:<12} {entity.id.name}")
    click.echo(
        f"registered version {registration.version} in {config.project}/{config.domain} "
        f"({len(result.created)} new, {len(result.existing)} unchanged)"
    )
