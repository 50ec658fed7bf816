"""``updraft cache``: manage the cache catalog of the local home.

Entries are keyed by task name, cache version, interface and inputs; clearing by task (and
optionally version) makes the next run of that task compute its outputs again, without
bumping ``cache_version`` in the code.
"""

from __future__ import annotations

import click


@click.group("cache")
def cache_group() -> None:
    """Manage cached task outputs."""


@cache_group.command("clear")
@click.argument("task_name")
@click.option("--version", "version", metavar="V",
              help="Only the entries of this cache version (every version by default).")
@click.option("--home", envvar="UPDRAFT_HOME", help="The updraft home (database and blobs).")
def clear_command(task_name: str, version: str | None, home: str | None) -> None:
    """Remove the cached outputs of task TASK_NAME, so that its next run computes them again.

    TASK_NAME is the task's module and function, the module counted from the project root,
    e.g. workflows.example.draw for draw in workflows/example.py.
    """
    from updraft.runner import local_store

    store = local_store(home)[0]
    removed = store.cache_clear(task_name, version)
    which = f"task {task_name!r}" + (f" version {version!r}" if version is not None else "")
    noun = "entry" if removed == 1 else "entries"
    click.echo(f"removed {removed} cache {noun} of {which}")
    if removed == 0:
        click.echo(
            f"no cache entries matched {which}; a task's name is its module (counted from "
            "the project root) and function, e.g. workflows.example.draw for draw in "
            "workflows/example.py",
            err=True,
        )
