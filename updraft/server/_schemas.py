"""Request and response bodies of the REST API, as pydantic models for validation and OpenAPI.

Documents that are model structs (executions, nodes, specs) are not repeated here: routes send
them as msgspec encodes them, so the API's execution JSON is byte for byte the document that
``updraft run --json`` prints. Their JSON schemas come from msgspec (see ``_openapi``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: Names of projects, entities and executions: what fits in a URL path segment unescaped.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$"


def unstorable_text(value: object, where: str = "") -> str | None:
    """Where in ``value`` a string holds a NUL character or a lone surrogate, which no
    database and no UTF-8 document can keep; None when every string is fine."""
    if isinstance(value, str):
        if "\x00" in value:
            return where or "a value"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return where or "a value"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = unstorable_text(key, where or "a key") or unstorable_text(
                item, f"{where}.{key}" if where else str(key)
            )
            if found:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = unstorable_text(item, f"{where}[{index}]")
            if found:
                return found
    return None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _storable(self) -> _Strict:
        found = unstorable_text(self.model_dump())
        if found:
            raise ValueError(
                f"{found} contains a NUL character or a lone surrogate, which cannot be "
                "stored; remove it"
            )
        return self


class ProjectCreate(_Strict):
    """A project to create; every project gets the standard domains."""

    id: str = Field(pattern=NAME_PATTERN, description="Unique project id, e.g. `flyteexamples`.")
    name: str = Field(default="", max_length=256)
    description: str = Field(default="", max_length=4096)


class ProjectOut(BaseModel):
    """A project."""

    id: str
    name: str = ""
    description: str = ""


class ProjectList(BaseModel):
    """Every project, by id."""

    projects: list[ProjectOut]


class DomainList(BaseModel):
    """The domains every project has."""

    domains: list[str]


class EntityIdOut(BaseModel):
    """The identity of a registered task, workflow or launch plan."""

    project: str
    domain: str
    name: str
    version: str


class EntityList(BaseModel):
    """Registered ids, newest registration first."""

    entities: list[EntityIdOut]


class RegisterRequest(_Strict):
    """A registration: the `Registration` JSON and the code archive (a zip, base64)."""

    registration: dict[str, Any] = Field(
        description="The Registration document: project, domain, version, tasks, workflows, "
        "launch_plans."
    )
    archive: str | None = Field(
        default=None, description="The code package, a zip archive encoded as base64."
    )


class RegisteredEntity(BaseModel):
    """One entity of a registration and whether it was new."""

    kind: str
    id: EntityIdOut


class RegisterResponse(BaseModel):
    """What a registration stored (``created``) and what was there already (``existing``)."""

    created: list[RegisteredEntity]
    existing: list[RegisteredEntity]
    code: dict[str, str] | None = Field(default=None, description="The stored code package.")


class ExecutionCreate(_Strict):
    """An execution to launch: a launch plan (or a workflow's default one) and its inputs."""

    project: str = Field(pattern=NAME_PATTERN)
    domain: str
    launch_plan: str | None = Field(default=None, description="Launch plan name.")
    workflow: str | None = Field(
        default=None, description="Workflow name; launches its default launch plan."
    )
    version: str | None = Field(default=None, description="Version; the latest by default.")
    inputs: dict[str, Any] = Field(default_factory=dict, description="Plain JSON by input name.")
    name: str | None = Field(
        default=None,
        pattern=NAME_PATTERN,
        description="Unique in the project and domain; generated when absent.",
    )
    labels: dict[str, str] = Field(default_factory=dict)
    max_parallelism: int | None = Field(default=None, ge=1, le=100_000)
    overwrite_cache: bool = False
    launched_by: str = Field(default="api", max_length=128)


class TerminateRequest(_Strict):
    """Why an execution is being terminated."""

    reason: str = Field(default="terminated by request", max_length=4096)


class ExecutionList(BaseModel):
    """Executions, newest first, as their JSON documents without nodes."""

    executions: list[dict[str, Any]]
    limit: int
    offset: int


class BackfillRequest(BaseModel):
    """A range of a scheduled plan's times to launch now: after ``start``, up to ``end``."""

    start: datetime
    end: datetime


class BackfillResponse(BaseModel):
    """The executions a backfill launched, by scheduled time (times launched before are
    left out)."""

    launched: dict[str, str]


class LaunchPlanState(BaseModel):
    """Whether a launch plan version is active (its schedule fires)."""

    id: EntityIdOut
    active: bool


class ErrorBody(BaseModel):
    """Every error: a short code word and a message that says what is wrong and how to fix it."""

    error: str
    message: str
