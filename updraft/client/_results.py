"""Answers of the API that are not model documents: small structs the client decodes into.

Executions, nodes, specs and projects come back as `updraft.model` structs; what is left
(registration outcomes, a node's detail, a launch plan's state) is described here, in the
same msgspec style, so every answer is typed.
"""

from __future__ import annotations

import msgspec

from updraft.model import (
    CodePackage,
    EntityId,
    LaunchPlanSpec,
    Literal,
    NodeExecution,
    TaskSpec,
    WorkflowSpec,
)


class RegisteredEntity(msgspec.Struct, frozen=True):
    """One entity of a registration: ``kind`` is task, workflow or launch_plan."""

    kind: str
    id: EntityId


class RegisterResult(msgspec.Struct, frozen=True):
    """What a registration stored (``created``) and found already there (``existing``).

    Registering the same content twice is a no-op: the second time everything is existing.
    """

    created: list[RegisteredEntity]
    existing: list[RegisteredEntity]
    code: CodePackage | None = None

    @property
    def version(self) -> str | None:
        """The version the entities are registered under (None for an empty registration)."""
        for entity in (*self.created, *self.existing):
            return entity.id.version
        return None


class Entity(msgspec.Struct, frozen=True):
    """A registered task, workflow or launch plan with its spec and code package.

    ``active`` is set for launch plans only: whether its schedule fires.
    """

    kind: str
    id: EntityId
    spec: TaskSpec | WorkflowSpec | LaunchPlanSpec
    code: CodePackage | None = None
    active: bool | None = None


class NodeDetail(msgspec.Struct, frozen=True):
    """One node of an execution: its record with attempts, its inputs and its outputs.

    ``inputs`` leaves out what upstream nodes have not produced yet; it is None for a node
    added at run time (a map or dynamic child).
    """

    execution_id: str
    node: NodeExecution
    inputs: dict[str, Literal] | None = None
    outputs: dict[str, Literal] | None = None


class LaunchPlanState(msgspec.Struct, frozen=True):
    """Whether a launch plan version is active, i.e. whether its schedule fires."""

    id: EntityId
    active: bool


class Backfill(msgspec.Struct, frozen=True):
    """The executions a backfill launched, by scheduled time (ISO 8601)."""

    launched: dict[str, str]
