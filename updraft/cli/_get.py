"""``updraft get``: list executions and show one, from the local home."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
import msgspec

from updraft.cli._render import console, literal_text, nodes_table

if TYPE_CHECKING:
    from updraft.store import MetadataStore


def _local_store(home: str | None) -> MetadataStore:
    from updraft.runner import local_store

    return local_store(home)[0]


@click.group("get")
def get_group() -> None:
    """Show executions."""


@get_group.command("executions")
@click.option("--local", is_flag=True, default=True, help="Read the local home (the default).")
@click.option("--limit", default=20, show_default=True, help="How many, newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--home", envvar="UPDRAFT_HOME", help="The updraft home (database and blobs).")
def get_executions(local: bool, limit: int, as_json: bool, home: str | None) -> None:
    """List recent executions, newest first."""
    from rich.table import Table

    executions = _local_store(home).list_executions(limit=limit)
    if as_json:
        click.echo(msgspec.json.encode(executions).decode())
        return
    table = Table()
    for column in ("id", "workflow", "phase", "launched by", "started", "duration"):
        table.add_column(column)
    for e in executions:
        duration = (
            f"{(e.ended_at - e.started_at).total_seconds():.2f}s"
            if e.started_at and e.ended_at
            else ""
        )
        started = e.started_at.strftime("%Y-%m-%d %H:%M:%S") if e.started_at else ""
        table.add_row(e.id, e.workflow, e.phase.value, e.launched_by, started, duration)
    console().print(table)


@get_group.command("execution")
@click.argument("execution_id")
@click.option("--local", is_flag=True, default=True, help="Read the local home (the default).")
@click.option("--json", "as_json", is_flag=True, help="Print the execution JSON document.")
@click.option("--home", envvar="UPDRAFT_HOME", help="The updraft home (database and blobs).")
def get_execution(execution_id: str, local: bool, as_json: bool, home: str | None) -> None:
    """Show one execution: its nodes, phases, durations, cache status and outputs."""
    from updraft.store import NotFoundError

    try:
        document = _local_store(home).get_document(execution_id)
    except NotFoundError as exc:
        raise click.UsageError(str(exc)) from None
    if as_json:
        click.echo(msgspec.json.format(msgspec.json.encode(document), indent=2).decode())
        return
    out = console()
    execution = document.execution
    out.print(f"[bold]{execution.id}[/] {execution.workflow} {execution.phase.value}")
    out.print(nodes_table(document))
    for name, literal in (execution.outputs or {}).items():
        out.print(f"{name}: {literal_text(literal)}")
    if execution.error:
        out.print(f"[red]{execution.error.message}[/]")
