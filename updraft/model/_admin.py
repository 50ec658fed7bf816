"""What the control plane keeps besides executions: projects, registered entities, launch
plans with their schedules, and the code packages tasks run from.

Registered entities are immutable: an (project, domain, name, version) names one content
forever. These are plain data like the rest of the model; the store and server act on them.
"""

from __future__ import annotations

from typing import Final

import msgspec

from updraft.model._literals import Literal
from updraft.model._specs import SCHEMA_VERSION, TaskSpec, WorkflowSpec

#: The domains every project has, as in Flyte.
DOMAINS: Final = ("development", "staging", "production")

#: Kinds of registered entity.
ENTITY_KINDS: Final = ("task", "workflow", "launch_plan")

#: What a schedule does about fire times missed while the server was down.
CATCH_UP_POLICIES: Final = ("all", "latest", "none")


class Project(msgspec.Struct, frozen=True, omit_defaults=True):
    """A namespace for entities and executions; every project has `DOMAINS`."""

    id: str
    name: str = ""
    description: str = ""


class EntityId(msgspec.Struct, frozen=True):
    """The identity of a registered task, workflow or launch plan."""

    project: str
    domain: str
    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.project}/{self.domain}/{self.name}@{self.version}"


class ScheduleSpec(msgspec.Struct, frozen=True, omit_defaults=True):
    """When a launch plan fires: a cron expression in a time zone, or a fixed rate.

    Exactly one of ``cron`` and ``fixed_rate_s`` is set.
    """

    cron: str | None = None
    timezone: str = "UTC"
    fixed_rate_s: float | None = None


class LaunchPlanSpec(msgspec.Struct, frozen=True, omit_defaults=True):
    """A workflow with inputs bound: defaults the caller may override, fixed ones it may not.

    ``workflow`` is the workflow's name; the plan launches the workflow of the same project,
    domain and version. ``kickoff_time_input_arg`` names an input that receives the
    scheduled time of a scheduled launch.
    """

    name: str
    workflow: str
    default_inputs: dict[str, Literal] = {}
    fixed_inputs: dict[str, Literal] = {}
    schedule: ScheduleSpec | None = None
    kickoff_time_input_arg: str | None = None
    catch_up: str = "latest"
    max_concurrency: int | None = None
    labels: dict[str, str] = {}
    schema_version: int = SCHEMA_VERSION


class CodePackage(msgspec.Struct, frozen=True):
    """The user's code as registered: a zip archive in the blob store, named by its digest.

    Workers extract it once per digest and import tasks from it, not from a working copy.
    """

    uri: str
    digest: str


class Registration(msgspec.Struct, frozen=True, omit_defaults=True):
    """Everything one ``updraft register`` stores under one version."""

    project: str
    domain: str
    version: str
    tasks: tuple[TaskSpec, ...] = ()
    workflows: tuple[WorkflowSpec, ...] = ()
    launch_plans: tuple[LaunchPlanSpec, ...] = ()
    code: CodePackage | None = None
