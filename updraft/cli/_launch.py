"""``updraft launch``: start a registered launch plan on the server with inputs after NAME.

NAME is a launch plan; every workflow has a default one under its own name. A short name
(``chain``) finds the plan whose full name ends with it (``wf_basic.chain``). Inputs are
parsed by the registered workflow's interface, so a wrong value names the input and its
type before anything is launched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from updraft.cli._config import Settings
from updraft.cli._inputs import InputError
from updraft.cli._remote import (
    client_for,
    remote_options,
    report_created,
    server_errors,
    settings,
)
from updraft.cli._remote_inputs import parse_remote_inputs, remote_inputs_help
from updraft.model import LaunchPlanSpec, WorkflowSpec

if TYPE_CHECKING:
    from updraft.client import Client
    from updraft.model import EntityId


def find_name(client: Client, kind: str, config: Settings, name: str) -> str:
    """The registered full name that ``name`` means: itself, or the one name ending with
    ``.name``. Raises InputError naming what is registered when none or several match."""
    project, domain = config.project, config.domain
    if client.list_entities(kind, project, domain, name, limit=1):
        return name
    registered = sorted({e.name for e in client.list_entities(kind, project, domain,
                                                               limit=1000)})
    matches = [n for n in registered if n.rsplit(".", 1)[-1] == name]
    what = kind.replace("_", " ")
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise InputError(f"{what} {name!r} is ambiguous in {project}/{domain}: it may be "
                         f"{', '.join(matches)}; give the full name")
    shown = ", ".join(registered[:20]) + (" ..." if len(registered) > 20 else "")
    raise InputError(
        f"no {what} {name!r} is registered in project {project!r}, domain {domain!r} "
        f"(registered: {shown or 'none'}); register it with `updraft register FILE`"
    )


def resolve_plan(
    client: Client, config: Settings, name: str, version: str | None
) -> tuple[EntityId, LaunchPlanSpec, WorkflowSpec]:
    """The launch plan NAME (the latest version unless ``version``) and its workflow."""
    full = find_name(client, "launch_plan", config, name)
    if version is None:
        version = client.latest("launch_plan", config.project, config.domain, full).version
    plan = client.get_entity("launch_plan", config.project, config.domain, full, version)
    assert isinstance(plan.spec, LaunchPlanSpec)
    workflow = client.get_entity(
        "workflow", config.project, config.domain, plan.spec.workflow, version
    )
    assert isinstance(workflow.spec, WorkflowSpec)
    return plan.id, plan.spec, workflow.spec


def parse_labels(labels: tuple[str, ...]) -> dict[str, str]:
    """``("team=ml",)`` as a dict; InputError for an item without ``=``."""
    parsed: dict[str, str] = {}
    for item in labels:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(f"label {item!r} is not KEY=VALUE; pass e.g. --label team=ml")
        parsed[key] = value
    return parsed


@click.command(
    "launch",
    context_settings={
        "ignore_unknown_options": True,
        "allow_interspersed_args": True,
        "help_option_names": [],
    },
)
@remote_options
@click.option("--version", metavar="V", help="The registered version (the latest by default).")
@click.option("--name", "execution_name", metavar="NAME",
              help="The execution's name, unique in the project and domain.")
@click.option("--label", "labels", metavar="KEY=VALUE", multiple=True,
              help="A label to filter executions by; repeat for more.")
@click.option("--max-parallelism", type=click.IntRange(min=1), default=None,
              help="At most this many nodes of the execution run at once.")
@click.option("--overwrite-cache", is_flag=True,
              help="Recompute cached nodes and replace their cache entries.")
@click.option("--wait", is_flag=True, help="Follow the execution to its end, print outputs.")
@click.option("--json", "as_json", is_flag=True, help="Print the execution JSON document.")
@click.option("--help", "-h", "show_help", is_flag=True,
              help="Show this message; after NAME, list the plan's inputs.")
@click.argument("plan_name", metavar="NAME", required=False)
@click.argument("inputs", nargs=-1, type=click.UNPROCESSED)
def launch_command(
    endpoint: str | None, project: str | None, domain: str | None, version: str | None,
    execution_name: str | None, labels: tuple[str, ...], max_parallelism: int | None,
    overwrite_cache: bool, wait: bool, as_json: bool, show_help: bool, plan_name: str | None,
    inputs: tuple[str, ...],
) -> None:
    """Launch the registered launch plan NAME on the server and print the execution id.

    Inputs follow NAME as --input_name value; `updraft launch NAME --help` lists them. An
    input named like an option of this command goes after `--`. With --wait, follow the
    execution and print its outputs; exit status 1 when it fails.
    """
    if plan_name is None:
        context = click.get_current_context()
        if show_help:
            click.echo(context.get_help())
            return
        raise click.UsageError("give the launch plan to launch: updraft launch NAME", context)
    config = settings(endpoint, project, domain)
    tokens = list(inputs)
    with client_for(config) as client:
        with server_errors():
            plan_id, plan, workflow = resolve_plan(client, config, plan_name, version)
        if show_help or "--help" in tokens or "-h" in tokens:
            usage = f"Usage: updraft launch [OPTIONS] {plan_name} [INPUTS]"
            click.echo(f"launch plan {plan_id} (workflow {workflow.name})")
            click.echo(remote_inputs_help(workflow.interface.inputs, usage, workflow.docstring,
                                          plan.default_inputs, plan.fixed_inputs))
            return
        values = parse_remote_inputs(workflow.interface.inputs, tokens,
                                     f"launch plan {plan_id.name!r}", plan.fixed_inputs)
        with server_errors():
            document = client.launch(
                config.project, config.domain, launch_plan=plan_id.name,
                version=plan_id.version, inputs=values, name=execution_name,
                labels=parse_labels(labels), max_parallelism=max_parallelism,
                overwrite_cache=overwrite_cache, launched_by="cli",
            )
        report_created(
            client, document, wait=wait, as_json=as_json,
            message=f"launched {plan_id} as execution {document.execution.id}; follow it "
            f"with `updraft get execution {document.execution.id}`",
        )
