"""``updraft logs``, ``terminate``, ``relaunch`` and ``recover``: act on one execution on
the server by its id."""

from __future__ import annotations

import click

from updraft.cli._remote import (
    client_for,
    endpoint_option,
    report_created,
    server_errors,
    settings,
)


@click.command("logs")
@endpoint_option
@click.argument("execution_id")
@click.argument("node", required=False)
def logs_command(endpoint: str | None, execution_id: str, node: str | None) -> None:
    """Print what the tasks of execution EXECUTION_ID printed, with errors and tracebacks;
    only those of NODE (e.g. n0) when given."""
    config = settings(endpoint)
    with client_for(config) as client, server_errors():
        text = client.logs(execution_id, node)
    click.echo(text, nl=not text.endswith("\n"))


@click.command("terminate")
@endpoint_option
@click.option("--reason", default=None, help="Why; recorded with the execution.")
@click.argument("execution_id")
def terminate_command(endpoint: str | None, reason: str | None, execution_id: str) -> None:
    """Abort a queued or running execution; its running tasks are cancelled."""
    config = settings(endpoint)
    with client_for(config) as client, server_errors():
        document = client.terminate(execution_id, reason)
    click.echo(f"execution {execution_id} {document.execution.phase.value}")


def _new_execution(action: str, endpoint: str | None, execution_id: str, wait: bool,
                   as_json: bool) -> None:
    config = settings(endpoint)
    with client_for(config) as client:
        with server_errors():
            document = getattr(client, action)(execution_id)
        report_created(
            client, document, wait=wait, as_json=as_json,
            message=f"{action}ed {execution_id} as execution {document.execution.id}",
        )


_WAIT = click.option("--wait", is_flag=True, help="Follow the new execution to its end.")
_JSON = click.option("--json", "as_json", is_flag=True, help="Print the execution JSON.")


@click.command("relaunch")
@endpoint_option
@_WAIT
@_JSON
@click.argument("execution_id")
def relaunch_command(endpoint: str | None, wait: bool, as_json: bool, execution_id: str) -> None:
    """Run EXECUTION_ID's workflow again with the same code and inputs; prints the new id."""
    _new_execution("relaunch", endpoint, execution_id, wait, as_json)


@click.command("recover")
@endpoint_option
@_WAIT
@_JSON
@click.argument("execution_id")
def recover_command(endpoint: str | None, wait: bool, as_json: bool, execution_id: str) -> None:
    """Run a failed execution again, reusing the outputs of every node that succeeded in it;
    prints the new id."""
    _new_execution("recover", endpoint, execution_id, wait, as_json)
