"""What the commands that talk to a server share: their options, the settings and client
they open, how server errors end a command, and following an execution to its end.

Exit status, as for every command: 2 for a usage or input error, a request the server
refuses (4xx) and a server that cannot be reached; 1 when a followed execution fails or the
server fails (5xx); 0 otherwise. Messages go to stderr on one line, never as a traceback.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from updraft.cli._config import Settings, load_settings

if TYPE_CHECKING:
    from updraft.client import Client
    from updraft.model import ExecutionDocument

F = TypeVar("F", bound=Callable[..., Any])


def endpoint_option(func: F) -> F:
    """``--endpoint URL``: the server, over updraft.yaml and $UPDRAFT_ENDPOINT."""
    return click.option(
        "--endpoint", metavar="URL", default=None,
        help="The updraft server (default: updraft.yaml, $UPDRAFT_ENDPOINT, "
        "http://127.0.0.1:8080).",
    )(func)


def scope_options(func: F) -> F:
    """``--project`` and ``--domain``, over updraft.yaml and $UPDRAFT_PROJECT/$UPDRAFT_DOMAIN."""
    func = click.option(
        "--domain", metavar="DOMAIN", default=None,
        help="development, staging or production (default: updraft.yaml, $UPDRAFT_DOMAIN, "
        "development).",
    )(func)
    return click.option(
        "--project", metavar="PROJECT", default=None,
        help="The project (default: updraft.yaml, $UPDRAFT_PROJECT, default).",
    )(func)


def remote_options(func: F) -> F:
    """``--endpoint``, ``--project`` and ``--domain``."""
    return endpoint_option(scope_options(func))


def settings(
    endpoint: str | None = None, project: str | None = None, domain: str | None = None
) -> Settings:
    """The settings with the command's options applied (see `updraft.cli._config`)."""
    return load_settings(endpoint=endpoint, project=project, domain=domain)


def client_for(config: Settings) -> Client:
    """A client of the configured server (httpx is imported only by commands that need it)."""
    from updraft.client import Client

    return Client(config.endpoint, token=config.token)


def fail(message: str, code: int = 2) -> NoReturn:
    """End the command with ``error: message`` on stderr."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@contextlib.contextmanager
def server_errors() -> Iterator[None]:
    """Turn what the server answers into the command's message and exit status."""
    from updraft.client import ClientError, EndpointUnreachableError

    try:
        yield
    except EndpointUnreachableError as exc:
        fail(exc.message, 2)
    except ClientError as exc:
        message = exc.message
        if exc.status == 404 and "project" in message.lower() and "create" not in message:
            message += "; create a project with `updraft project create ID`"
        fail(message, 2 if exc.refused else 1)


def follow(client: Client, document: ExecutionDocument, as_json: bool) -> NoReturn:
    """Wait for an execution to end, print it as `updraft run` does and exit 0 (succeeded)
    or 1; an interrupt stops following, not the execution."""
    from updraft.cli._run import exit_code, print_document

    execution_id = document.execution.id
    if not as_json:
        click.echo(f"execution {execution_id} started", err=True)
    try:
        with server_errors():
            final = client.wait(execution_id)
    except KeyboardInterrupt:
        click.echo(
            f"\nstopped following; execution {execution_id} goes on (`updraft get execution "
            f"{execution_id}`, `updraft terminate {execution_id}`)",
            err=True,
        )
        sys.exit(130)
    print_document(final, as_json)
    sys.exit(exit_code(final))


def report_created(
    client: Client, document: ExecutionDocument, *, wait: bool, as_json: bool, message: str
) -> None:
    """What every command that starts an execution prints: with ``wait``, the execution's
    end (and exit); else the document as JSON, or its id on stdout and ``message`` on
    stderr."""
    if wait:
        follow(client, document, as_json)
    if as_json:
        print_json(document)
        return
    click.echo(document.execution.id)
    click.echo(message, err=True)


def print_json(document: object) -> None:
    """A model document as indented JSON, as `updraft run --json` prints it."""
    import msgspec

    click.echo(msgspec.json.format(msgspec.json.encode(document), indent=2).decode())
