"""``updraft run --remote FILE NAME``: register FILE, launch NAME on the server, follow it.

The workflow's inputs are parsed by its compiled interface before anything is uploaded, so
a wrong value costs no registration. The version is the content hash unless ``--version``
is given, so running unchanged code again registers nothing new.
"""

from __future__ import annotations

import click

from updraft.cli._config import Settings
from updraft.cli._inputs import InputError
from updraft.cli._register import build_registration
from updraft.cli._remote import client_for, follow, server_errors
from updraft.cli._remote_inputs import parse_remote_inputs, remote_inputs_help
from updraft.model import LaunchPlanSpec, Registration, WorkflowSpec


def _pick(registration: Registration, file: str, name: str) -> LaunchPlanSpec | WorkflowSpec:
    """The launch plan or workflow NAME (full or last part) among what FILE defines."""
    plans = {p.name: p for p in registration.launch_plans}
    workflows = {w.name: w for w in registration.workflows}
    candidates: dict[str, LaunchPlanSpec | WorkflowSpec] = {**workflows, **plans}
    found = candidates.get(name)
    if found is None:
        matches = [n for n in candidates if n.rsplit(".", 1)[-1] == name]
        if len(matches) == 1:
            found = candidates[matches[0]]
        elif matches:
            raise InputError(f"{name!r} is ambiguous in {file}: it may be {', '.join(matches)}")
    if found is None:
        tasks = [t.name for t in registration.tasks if t.name.rsplit(".", 1)[-1] == name]
        if tasks:
            raise InputError(
                f"{tasks[0]!r} in {file} is a task; `updraft run --remote` launches workflows "
                "and launch plans. Call it from a @workflow, or run it here without --remote"
            )
        names = ", ".join(sorted(candidates)) or "none"
        raise InputError(f"{file} defines no workflow or launch plan {name!r} (it defines: "
                         f"{names})")
    return found


def run_remote(
    config: Settings, file: str, name: str, tokens: list[str], version: str | None,
    as_json: bool,
) -> None:
    """Register ``file``, launch ``name`` with the inputs in ``tokens`` and follow it; exits
    0 when it succeeds, 1 when it fails, 2 for a usage, input or server error."""
    registration, archive, skipped = build_registration(
        (file,), config.project, config.domain, version
    )
    target = _pick(registration, file, name)
    if isinstance(target, LaunchPlanSpec):
        plan = target
        workflow = next(w for w in registration.workflows if w.name == plan.workflow)
    else:
        plan, workflow = LaunchPlanSpec(name=target.name, workflow=target.name), target
    if "--help" in tokens or "-h" in tokens:
        usage = f"Usage: updraft run --remote [OPTIONS] FILE {name} [INPUTS]"
        click.echo(remote_inputs_help(workflow.interface.inputs, usage, workflow.docstring,
                                      plan.default_inputs, plan.fixed_inputs))
        return None
    values = parse_remote_inputs(workflow.interface.inputs, tokens,
                                 f"{'launch plan' if plan.name != workflow.name else 'workflow'}"
                                 f" {plan.name!r}", plan.fixed_inputs)
    for path in skipped:
        click.echo(f"warning: left out {path}: too large to package (over 50 MiB)", err=True)
    with client_for(config) as client:
        with server_errors():
            result = client.register(registration, archive)
            if not as_json:
                click.echo(
                    f"registered version {registration.version} in {config.project}/"
                    f"{config.domain} ({len(result.created)} new) at {client.endpoint}",
                    err=True,
                )
            document = client.launch(
                config.project, config.domain, launch_plan=plan.name,
                version=registration.version, inputs=values, launched_by="cli",
            )
        follow(client, document, as_json)
