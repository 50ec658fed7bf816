"""``updraft get``: list executions and show one, from the server or the local home.

Without ``--local`` both commands ask the server (``--endpoint``, updraft.yaml or
$UPDRAFT_ENDPOINT). When no endpoint is configured anywhere and nothing answers at the
default address, they read the local home instead and say so, so that `updraft run`'s
executions can be looked at without a server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
import msgspec

from updraft.cli._render import console, literal_text, nodes_table

if TYPE_CHECKING:
    from updraft.cli._config import Settings
    from updraft.model import Execution, ExecutionDocument
    from updraft.store import MetadataStore


def _local_store(home: str | None) -> MetadataStore:
    from updraft.runner import local_store

    return local_store(home)[0]


def _use_local(config: Settings) -> bool:
    """True when the server is the default one and does not answer: read the home instead."""
    if not config.endpoint_is_default:
        return False
    from updraft.cli._remote import client_for
    from updraft.client import ClientError, EndpointUnreachableError

    with client_for(config) as client:
        try:
            client.list_domains()
        except EndpointUnreachableError:
            click.echo(
                f"(no updraft server at {client.endpoint}; showing the local home)", err=True
            )
            return True
        except ClientError:
            return False
    return False


_LOCAL = click.option(
    "--local", is_flag=True,
    help="Read the local home (where `updraft run` records) instead of the server.",
)
_HOME = click.option("--home", envvar="UPDRAFT_HOME",
                     help="The updraft home read with --local ($UPDRAFT_HOME).")


@click.group("get")
def get_group() -> None:
    """Show executions, from the server or (--local) the local home."""


def _print_executions(executions: list[Execution], as_json: bool) -> None:
    from rich.table import Table

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


@get_group.command("executions")
@_LOCAL
@click.option("--endpoint", metavar="URL", default=None, help="The updraft server.")
@click.option("--project", default=None, help="Only this project (the configured one).")
@click.option("--domain", default=None, help="Only this domain (the configured one).")
@click.option("--phase", "phases", multiple=True, metavar="PHASE",
              help="Only executions in this phase (SUCCEEDED, FAILED, ...); repeat for more.")
@click.option("--label", "labels", multiple=True, metavar="KEY=VALUE",
              help="Only executions with this label; repeat for more (all must match).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000),
              help="How many, newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_HOME
def get_executions(
    local: bool, endpoint: str | None, project: str | None, domain: str | None,
    phases: tuple[str, ...], labels: tuple[str, ...], limit: int, as_json: bool,
    home: str | None,
) -> None:
    """List executions, newest first: on the server, in the configured project and domain;
    with --local, every run recorded in the local home.

    When no endpoint is configured (--endpoint, updraft.yaml, $UPDRAFT_ENDPOINT) and no
    server answers at http://127.0.0.1:8080, the local home is read instead.
    """
    from updraft.cli._launch import parse_labels
    from updraft.cli._remote import client_for, server_errors, settings

    label_filter = parse_labels(labels)
    config = None if local else settings(endpoint, project, domain)
    if config is None or _use_local(config):
        executions = _local_store(home).list_executions(
            limit=limit, project=project, domain=domain,
            phases=[p.upper() for p in phases] or None, labels=label_filter or None,
        )
        _print_executions(executions, as_json)
        return
    with client_for(config) as client, server_errors():
        executions = client.list_executions(
            project=config.project, domain=config.domain,
            phases=[p.upper() for p in phases], labels=label_filter, limit=limit,
        )
    _print_executions(executions, as_json)


def _print_document(document: ExecutionDocument, as_json: bool) -> None:
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


@get_group.command("execution")
@click.argument("execution_id")
@_LOCAL
@click.option("--endpoint", metavar="URL", default=None, help="The updraft server.")
@click.option("--json", "as_json", is_flag=True, help="Print the execution JSON document.")
@_HOME
def get_execution(
    execution_id: str, local: bool, endpoint: str | None, as_json: bool, home: str | None
) -> None:
    """Show one execution: its nodes, phases, durations, cache status and outputs; from
    the server, or with --local from the local home.

    When no endpoint is configured (--endpoint, updraft.yaml, $UPDRAFT_ENDPOINT) and no
    server answers at http://127.0.0.1:8080, the local home is read instead.
    """
    config = None
    if not local:
        from updraft.cli._remote import settings

        config = settings(endpoint)
    if config is None or _use_local(config):
        from updraft.store import NotFoundError

        try:
            document = _local_store(home).get_document(execution_id)
        except NotFoundError as exc:
            raise click.UsageError(str(exc)) from None
        _print_document(document, as_json)
        return
    from updraft.cli._remote import client_for, server_errors

    with client_for(config) as client, server_errors():
        document = client.get_execution(execution_id)
    _print_document(document, as_json)
