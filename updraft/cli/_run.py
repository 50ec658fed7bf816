"""``updraft run``: run a workflow or task from a file on this machine and print its outputs."""

from __future__ import annotations

import contextlib
import sys
from typing import Any

import click
import msgspec

from updraft.cli._inputs import InputError, inputs_help, parse_inputs
from updraft.cli._render import LiveProgress, literal_text
from updraft.compiler import CompileError, Workflow
from updraft.model import ExecutionDocument, ExecutionPhase
from updraft.runner import (
    EXECUTORS,
    EntityNotFoundError,
    ExecutionBusyError,
    InputValueError,
    RunResult,
    find_entity,
    load_file,
    prewarm_file,
    resume,
    run_entity,
)
from updraft.types import TypeAnnotationError


def _print_result(result: RunResult, as_json: bool) -> None:
    print_document(result.document, as_json)


def print_document(document: ExecutionDocument, as_json: bool) -> None:
    """How a finished run ends in the terminal, local or remote: its outputs on stdout (or
    the JSON document with ``as_json``), its phase on stderr, and any error with its
    traceback."""
    if as_json:
        click.echo(msgspec.json.format(msgspec.json.encode(document), indent=2).decode())
        return
    execution = document.execution
    if execution.phase == ExecutionPhase.SUCCEEDED:
        hits = sum(1 for n in document.nodes if n.cache.value == "hit")
        click.echo(
            f"execution {execution.id} SUCCEEDED ({len(document.nodes)} "
            + ("node" if len(document.nodes) == 1 else "nodes")
            + (f", {hits} from cache" if hits else "")
            + ")",
            err=True,
        )
        for name, literal in (execution.outputs or {}).items():
            click.echo(f"{name}: {literal_text(literal)}")
        return
    error = execution.error
    click.echo(f"execution {execution.id} {execution.phase.value}", err=True)
    if error is not None:
        click.echo(error.message, err=True)
        if error.traceback:
            click.echo(error.traceback.rstrip(), err=True)


def exit_code(document: ExecutionDocument) -> int:
    """0 for a succeeded execution, 1 for any other end."""
    return 0 if document.execution.phase == ExecutionPhase.SUCCEEDED else 1


@click.command(
    "run",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.option("--json", "as_json", is_flag=True, help="Print the execution JSON document.")
@click.option(
    "--executor",
    type=click.Choice(EXECUTORS),
    default=None,
    help="Where tasks run: warm worker processes (default) or this process.",
)
@click.option("--resume", "resume_id", metavar="EXECUTION_ID", help="Continue an interrupted run.")
@click.option("--home", envvar="UPDRAFT_HOME", help="The updraft home (database and blobs).")
@click.option("--remote", is_flag=True,
              help="Register FILE on the server and run NAME there (see `updraft register`).")
@click.option("--endpoint", metavar="URL", help="With --remote: the updraft server.")
@click.option("--project", metavar="PROJECT", help="With --remote: the project.")
@click.option("--domain", metavar="DOMAIN", help="With --remote: the domain.")
@click.option("--version", "version", metavar="V",
              help="With --remote: the version to register (the content hash by default).")
@click.argument("file", required=False)
@click.argument("name", required=False)
@click.argument("inputs", nargs=-1, type=click.UNPROCESSED)
def run_command(
    as_json: bool,
    executor: str | None,
    resume_id: str | None,
    home: str | None,
    remote: bool,
    endpoint: str | None,
    project: str | None,
    domain: str | None,
    version: str | None,
    file: str | None,
    name: str | None,
    inputs: tuple[str, ...],
) -> None:
    """Run workflow (or task) NAME from FILE here and print its outputs.

    Inputs follow NAME as --input_name value; `updraft run FILE NAME --help` lists them.
    With --remote, FILE is registered on the server and NAME runs there.
    Exit status: 0 succeeded, 1 the execution failed, 2 a usage or input error.
    """
    remote_only = {"--endpoint": endpoint, "--project": project, "--domain": domain,
                   "--version": version}
    if remote:
        _run_remote(file, name, inputs, endpoint, project, domain, version, as_json,
                    resume_id or executor)
        return
    given = [option for option, value in remote_only.items() if value is not None]
    if given:
        raise click.UsageError(f"{', '.join(given)} only apply with --remote")
    if resume_id:
        if inputs:
            raise click.UsageError(
                "--resume continues an execution with the inputs it was started with; "
                "drop the inputs, or start a new run without --resume"
            )
        _resume(resume_id, file, name, executor, home, as_json)
        return
    if not file or not name:
        raise click.UsageError("give a workflow file and a workflow or task name: FILE NAME")
    if "--help" not in inputs and "-h" not in inputs:
        prewarm_file(file, executor=executor, home=home)
    wf = _load(file, name)
    if "--help" in inputs or "-h" in inputs:
        click.echo(inputs_help(wf.python_interface, wf.name, wf.spec.docstring))
        return
    values = parse_inputs(wf.python_interface, list(inputs), wf.name)
    result = _run_with_progress(
        lambda listener, created: run_entity(
            wf, values, executor=executor, home=home, listener=listener, on_created=created
        ),
        len(wf.spec.nodes),
        as_json,
    )
    _print_result(result, as_json)
    sys.exit(exit_code(result.document))


def _run_remote(
    file: str | None, name: str | None, inputs: tuple[str, ...], endpoint: str | None,
    project: str | None, domain: str | None, version: str | None, as_json: bool,
    local_option: str | None,
) -> None:
    if local_option:
        raise click.UsageError("--resume and --executor apply to local runs, not --remote")
    if not file or not name:
        raise click.UsageError("give a workflow file and a workflow name: --remote FILE NAME")
    from updraft.cli._remote import settings
    from updraft.cli._remote_run import run_remote

    run_remote(settings(endpoint, project, domain), file, name, list(inputs), version, as_json)


def _load(file: str, name: str) -> Workflow[Any, Any]:
    """The workflow NAME in FILE; a missing file or name, or a wiring error, exits 2."""
    try:
        return find_entity(load_file(file), name)
    except (FileNotFoundError, EntityNotFoundError) as exc:
        raise click.UsageError(str(exc)) from None
    except (CompileError, TypeAnnotationError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


def _resume(
    execution_id: str,
    file: str | None,
    name: str | None,
    executor: str | None,
    home: str | None,
    as_json: bool,
) -> None:
    wf = _load(file, name) if file and name else None
    from updraft.store import NotFoundError

    try:
        result = _run_with_progress(
            lambda listener, _created: resume(
                execution_id, wf, executor=executor, home=home, listener=listener
            ),
            len(wf.spec.nodes) if wf else 0,
            as_json,
        )
    except (NotFoundError, ExecutionBusyError) as exc:
        raise click.UsageError(str(exc)) from None
    _print_result(result, as_json)
    sys.exit(exit_code(result.document))


def _run_with_progress(start: Any, total: int, as_json: bool) -> RunResult:
    created: list[str] = []

    def on_created(execution_id: str) -> None:
        created.append(execution_id)
        if not as_json:
            click.echo(f"execution {execution_id} started", err=True)

    live = sys.stderr.isatty() and not as_json and total > 0
    # With --json, stdout carries the document alone: what tasks print goes to stderr.
    quiet = contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext()
    try:
        with quiet:
            if live:
                with LiveProgress(total) as progress:
                    return start(progress, on_created)  # type: ignore[no-any-return]
            return start(None, on_created)  # type: ignore[no-any-return]
    except KeyboardInterrupt:
        if created:
            click.echo(
                f"\ninterrupted; continue with: updraft run --resume {created[0]}", err=True
            )
        sys.exit(130)
    except InputValueError as exc:
        raise InputError(str(exc)) from None
