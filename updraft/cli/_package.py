"""``updraft package``: build the code archive and specs of workflow files into one file."""

from __future__ import annotations

import os
import sys

import click

from updraft.compiler import CompileError
from updraft.runner import PACKAGE_SUFFIX, PackageBuild, PackageBuildError, build_package
from updraft.runner import write_package as write_package_file
from updraft.types import TypeAnnotationError


def _default_output(files: tuple[str, ...], version: str) -> str:
    stem = os.path.splitext(os.path.basename(files[0]))[0]
    return f"{stem}-{version}{PACKAGE_SUFFIX}"


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KiB" if n < 2**20 else f"{n / 2**20:.1f} MiB"


def _print_build(build: PackageBuild, path: str) -> None:
    click.echo(f"version   {build.version}")
    click.echo(f"digest    {build.digest}")
    click.echo(
        f"code      {len(build.files)} files, {_size(len(build.archive))} "
        f"from {', '.join(build.roots)}"
    )
    for spec in build.workflows:
        click.echo(f"workflow  {spec.name}")
    for task in build.tasks:
        click.echo(f"task      {task.name}")
    for plan in build.launch_plans:
        click.echo(f"launchplan {plan.name}")
    click.echo(f"wrote     {path}")


@click.command("package")
@click.option(
    "--output",
    "-o",
    metavar="PATH",
    help=f"Where to write the package; <first file's name>-<version>{PACKAGE_SUFFIX} by default.",
)
@click.option(
    "--version", "version", metavar="V", help="Version to register under (content hash by default)."
)
@click.argument("files", nargs=-1, required=True)
def package_command(output: str | None, version: str | None, files: tuple[str, ...]) -> None:
    """Package the workflow FILEs: their project's code and compiled specs, in one file.

    The version is a hash of the code and the specs unless --version is given, so the same
    code always packages to the same version. Exit status 2 for a missing file or a task
    that cannot be registered.
    """
    try:
        build = build_package(files, version=version)
    except (FileNotFoundError, PackageBuildError, CompileError, TypeAnnotationError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    for path in build.skipped:
        click.echo(f"warning: left out {path}: too large to package (over 50 MiB)", err=True)
    path = write_package_file(build, output or _default_output(files, build.version))
    _print_build(build, path)
