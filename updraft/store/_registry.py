"""The control plane's registry: projects, immutable registered entities, launch plan
activation, schedule fires and execution leases.

Kept apart from `MetadataStore` (executions) because only the server needs it; the SQL store
implements both on one database.
"""

from __future__ import annotations

import abc
from datetime import datetime
from typing import TypeAlias

from updraft.model import CodePackage, EntityId, LaunchPlanSpec, Project, TaskSpec, WorkflowSpec

Spec: TypeAlias = TaskSpec | WorkflowSpec | LaunchPlanSpec


#: Lease owners of local runs (``updraft run``) start with this. Engines never claim an
#: execution a local run holds; another local run may take it over (``--resume``).
LOCAL_OWNER_PREFIX = "local:"


class EntityConflictError(ValueError):
    """An entity id is registered already with other content; entities are immutable.

    The message names the kind and id and says to register under a new version.
    """


class RegistryStore(abc.ABC):
    """Projects, registered entities, launch plan state, schedule fires and leases."""

    # -- projects --------------------------------------------------------------------------

    @abc.abstractmethod
    def create_project(self, project: Project) -> Project:
        """Create a project; creating an existing id again returns the stored project."""

    @abc.abstractmethod
    def get_project(self, project_id: str) -> Project:
        """Raises NotFoundError naming the id."""

    @abc.abstractmethod
    def list_projects(self) -> list[Project]:
        """Every project, by id."""

    # -- entities --------------------------------------------------------------------------

    @abc.abstractmethod
    def register(
        self, kind: str, entity_id: EntityId, spec: Spec, code: CodePackage | None = None
    ) -> bool:
        """Store a task, workflow or launch plan under ``entity_id``.

        Returns True when it is new, False when the same content was registered before.

        Raises:
            EntityConflictError: the id holds other content.
            NotFoundError: the project does not exist.
        """

    @abc.abstractmethod
    def get_entity(self, kind: str, entity_id: EntityId) -> tuple[Spec, CodePackage | None]:
        """The spec and code package registered under ``entity_id``.

        Raises:
            NotFoundError: naming the kind and id, and the versions that do exist.
        """

    @abc.abstractmethod
    def list_entities(
        self, kind: str, project: str, domain: str, name: str | None = None
    ) -> list[EntityId]:
        """Registered ids of ``kind``, newest registration first; one name's versions when
        ``name`` is given."""

    def latest(self, kind: str, project: str, domain: str, name: str) -> EntityId:
        """The most recently registered version of a name.

        Raises:
            NotFoundError: when nothing of that name is registered.
        """
        from updraft.store._interface import NotFoundError

        found = self.list_entities(kind, project, domain, name)
        if not found:
            raise NotFoundError(
                f"no {kind.replace('_', ' ')} named {name!r} is registered in project "
                f"{project!r}, domain {domain!r}; register it with `updraft register`"
            )
        return found[0]

    # -- launch plans and schedules ----------------------------------------------------------

    @abc.abstractmethod
    def set_launch_plan_active(self, entity_id: EntityId, active: bool) -> None:
        """Activate or deactivate a launch plan version. Activating one version deactivates
        the other versions of the same name (one schedule per plan name)."""

    @abc.abstractmethod
    def active_version(self, project: str, domain: str, name: str) -> str | None:
        """The active version of a launch plan name, or None when it is inactive."""

    @abc.abstractmethod
    def launch_plan_activated_at(self, entity_id: EntityId) -> datetime | None:
        """When the plan's name became active: the start of its current active period, kept
        while versions are switched, None while it is inactive. A schedule never fires times
        before it, so a plan activated today does not catch up on last year."""

    @abc.abstractmethod
    def active_launch_plans(self) -> list[EntityId]:
        """Every active launch plan version."""

    @abc.abstractmethod
    def record_fire(self, entity_id: EntityId, scheduled_at: datetime, execution_id: str) -> bool:
        """Record that a schedule fired for ``scheduled_at``; the first record wins.

        Returns False (and records nothing) when that time was fired already, so a restart
        or a second scheduler never launches one scheduled time twice.
        """

    @abc.abstractmethod
    def unlaunched_fires(self, older_than_s: float) -> list[tuple[EntityId, datetime, str]]:
        """Fires recorded more than ``older_than_s`` seconds ago whose execution does not
        exist: the process that recorded them stopped before launching. Each is (plan id with
        the version that fired, scheduled time, the execution id recorded for it)."""

    @abc.abstractmethod
    def last_fire(self, entity_id: EntityId) -> datetime | None:
        """The latest scheduled time fired for the plan's name, or None."""

    # -- leases ----------------------------------------------------------------------------

    @abc.abstractmethod
    def claim_executions(self, owner: str, lease_s: float, limit: int) -> list[str]:
        """Take up to ``limit`` unfinished executions (QUEUED or RUNNING) that no live lease
        holds, oldest first, leasing each to ``owner`` for ``lease_s`` seconds. Two owners
        never hold one execution at once."""

    @abc.abstractmethod
    def renew_leases(self, owner: str, execution_ids: list[str], lease_s: float) -> list[str]:
        """Extend ``owner``'s leases; returns the ids it still holds (a lapsed lease that
        another owner took is lost and left out)."""

    @abc.abstractmethod
    def hold_for_local_run(self, execution_id: str, owner: str, lease_s: float) -> str | None:
        """Lease an execution to a local run (``owner`` starts with `LOCAL_OWNER_PREFIX`)
        unless an engine holds a live lease on it; returns that engine's name, else None."""

    @abc.abstractmethod
    def release_all_leases(self, owner: str) -> int:
        """Release every lease held under ``owner``; returns how many. A server restarted
        under the same name calls it first, so it resumes its executions at once instead of
        waiting for the leases of its previous life to lapse."""

    @abc.abstractmethod
    def release_lease(self, owner: str, execution_id: str) -> None:
        """Give an execution back (it ended, or the owner stops)."""
