"""``updraft init``: create a new project from the packaged template, ready to run.

The template lives in ``_templates/project`` next to this module (package data); each file
ends in ``.tmpl`` so that tools never take it for part of updraft, and ``{{name}}`` and
``{{updraft_version}}`` are the only placeholders. This module only copies and fills in; it
never overwrites anything.
"""

from __future__ import annotations

import re
import sys
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import click

_SUFFIX = ".tmpl"
#: What a project id may be (the server's rule), so that ``updraft.yaml`` names a valid one.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")


def _template_files(folder: Traversable, prefix: tuple[str, ...] = ()) -> list[
    tuple[tuple[str, ...], str]
]:
    """Every template file under ``folder``: (relative path parts, text), sorted."""
    found: list[tuple[tuple[str, ...], str]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            found.extend(_template_files(entry, (*prefix, entry.name)))
        elif entry.name.endswith(_SUFFIX):
            found.append(((*prefix, entry.name.removesuffix(_SUFFIX)), entry.read_text("utf-8")))
    return found


def write_project(name: str, directory: Path) -> list[Path]:
    """Write the project template for ``name`` into ``directory`` (created when missing).

    Args:
        name: the project's name, also its project id on the server.
        directory: an empty or missing folder.

    Returns:
        The files written, in order.

    Raises:
        FileExistsError: ``directory`` exists and is not an empty folder.
        ValueError: ``name`` is not a valid project id.
    """
    from updraft import __version__

    if not _NAME.fullmatch(name):
        raise ValueError(
            f"project name {name!r} is not valid: use 1 to 63 letters, digits, '_', '.' or "
            "'-', starting with a letter or digit"
        )
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise FileExistsError(
            f"{directory} already exists and is not empty; updraft init writes only into a "
            "new or empty folder. Pick another NAME or --directory"
        )
    values = {"name": name, "updraft_version": __version__}
    written: list[Path] = []
    for parts, text in _template_files(resources.files("updraft.cli") / "_templates" / "project"):
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        target = directory.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written


@click.command("init")
@click.argument("name")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="The project's folder (new or empty); ./NAME by default.",
)
def init_command(name: str, directory: Path | None) -> None:
    """Create project NAME: a workflows package with an example, requirements, updraft.yaml
    and a README saying how to run, register and launch it."""
    target = directory if directory is not None else Path(name)
    try:
        written = write_project(name, target)
    except (FileExistsError, ValueError) as exc:
        click.echo(f"updraft init: {exc}", err=True)
        sys.exit(2)
    for path in written:
        click.echo(f"created {path}")
    click.echo(
        f"next: cd {target} && updraft run workflows/example.py summarize_numbers", err=True
    )
