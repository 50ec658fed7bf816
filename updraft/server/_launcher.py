"""Launching executions: resolve the launch plan, check and convert inputs, record QUEUED.

Every execution the API creates starts here, whether new, relaunched or recovered; the engine
service then picks it up from the store. Inputs are merged as the workflow's defaults, then
the launch plan's defaults, then the caller's values, then the plan's fixed inputs, which the
caller may not override.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from datetime import UTC, datetime
from typing import Any

import msgspec

from updraft.engine import initial_nodes, recovered_state
from updraft.model import (
    Blob,
    CodePackage,
    EntityId,
    Execution,
    LaunchPlanSpec,
    Literal,
    MapBatch,
    NodeExecution,
    WorkflowSpec,
    content_hash,
)
from updraft.server._errors import BadRequestError, ConflictError
from updraft.server._registration import check_domain
from updraft.store import BlobStore, MetadataStore, NotFoundError, RegistryStore

#: How many stored workflow specs a launcher remembers (relaunches bring new objects).
_SPEC_CACHE_SIZE = 256

#: Default input files registered inside the code package (see updraft.runner._package).
_PACKAGE_SCHEME = "package://"


def new_execution_id() -> str:
    """A short unique id that sorts by creation time, as local runs make them."""
    return datetime.now(UTC).strftime("%y%m%d%H%M%S") + secrets.token_hex(3)


@dataclasses.dataclass
class LaunchRequest:
    """What the caller asks for; see `ExecutionCreate` for the meaning of each field."""

    project: str
    domain: str
    launch_plan: str | None = None
    workflow: str | None = None
    version: str | None = None
    inputs: dict[str, Any] = dataclasses.field(default_factory=dict)
    name: str | None = None
    labels: dict[str, str] = dataclasses.field(default_factory=dict)
    max_parallelism: int | None = None
    overwrite_cache: bool = False
    launched_by: str = "api"
    #: Set by the scheduler: the id recorded with the fire, and the time it was due.
    execution_id: str | None = None
    scheduled_at: datetime | None = None


class Launcher:
    """Creates executions of registered workflows and of earlier executions."""

    def __init__(
        self, store: MetadataStore, registry: RegistryStore, blobs: BlobStore, home: str
    ) -> None:
        self.store = store
        self.registry = registry
        self.blobs = blobs
        # Registered entities never change and projects are never deleted: remember them.
        self._entities: dict[tuple[str, EntityId], tuple[Any, CodePackage | None]] = {}
        self._projects: set[str] = set()
        #: Workflow specs already stored, with their hash, by the object's identity (the
        #: object is kept, so an identity is never reused for another spec).
        self._spec_hashes: dict[int, tuple[WorkflowSpec, str]] = {}
        self.code_cache = os.path.join(home, "envs", "code")

    # -- new executions ----------------------------------------------------------------------

    def launch(self, request: LaunchRequest) -> Execution:
        """Record a QUEUED execution of a launch plan (or a workflow's default plan).

        Raises:
            BadRequestError: neither or both of launch plan and workflow named, a bad domain,
                an unknown, missing, fixed or ill-typed input.
            NotFoundError: the project, plan or workflow is not registered.
            ConflictError: the execution name is taken in the project and domain.
        """
        check_domain(request.domain)
        if request.project not in self._projects:
            self.registry.get_project(request.project)
            self._projects.add(request.project)
        if (request.launch_plan is None) == (request.workflow is None):
            raise BadRequestError(
                "name exactly one of 'launch_plan' and 'workflow' to launch; a workflow "
                "launches its default launch plan"
            )
        plan_id, plan, workflow_id = self._resolve(request)
        workflow, code = self._entity("workflow", workflow_id)
        assert isinstance(workflow, WorkflowSpec)
        given = dict(request.inputs)
        if request.scheduled_at is not None and plan is not None and plan.kickoff_time_input_arg:
            given[plan.kickoff_time_input_arg] = request.scheduled_at.isoformat()
        inputs = self._package_files(self._inputs(given, workflow, plan), code)
        labels = {**(plan.labels if plan else {}), **request.labels}
        return self._create(
            workflow,
            inputs,
            project=request.project,
            domain=request.domain,
            name=request.name,
            labels=labels,
            launched_by=request.launched_by,
            workflow_id=workflow_id,
            launch_plan=plan_id,
            code=code,
            max_parallelism=request.max_parallelism,
            overwrite_cache=request.overwrite_cache,
            execution_id=request.execution_id,
            scheduled_at=request.scheduled_at,
        )

    def launch_scheduled(
        self, plan_id: EntityId, scheduled_at: datetime, execution_id: str
    ) -> Execution:
        """Launch a plan for one of its schedule's times (the scheduler and backfills)."""
        return self.launch(
            LaunchRequest(
                project=plan_id.project,
                domain=plan_id.domain,
                launch_plan=plan_id.name,
                version=plan_id.version,
                launched_by="schedule",
                execution_id=execution_id,
                scheduled_at=scheduled_at,
            )
        )

    def _package_files(
        self, inputs: dict[str, Literal], code: CodePackage | None
    ) -> dict[str, Literal]:
        """Point default files that travel in the code package (``package://`` URIs, made
        at registration) at their place in the extracted package."""
        from updraft.store import extract_package

        resolved = dict(inputs)
        for name, literal in inputs.items():
            if isinstance(literal, Blob) and literal.uri.startswith(_PACKAGE_SCHEME):
                if code is None:
                    raise BadRequestError(
                        f"input {name!r} defaults to a file of a code package, but the "
                        "workflow was registered without one; register it again"
                    )
                folder = extract_package(code, self.blobs, self.code_cache)
                member = literal.uri[len(_PACKAGE_SCHEME):]
                resolved[name] = msgspec.structs.replace(
                    literal, uri=os.path.join(folder, *member.split("/"))
                )
        return resolved

    def _resolve(
        self, request: LaunchRequest
    ) -> tuple[EntityId | None, LaunchPlanSpec | None, EntityId]:
        """The plan's id and spec (None when a workflow has no plan) and the workflow's id."""
        project, domain = request.project, request.domain
        if request.launch_plan is not None:
            plan_id = self._entity_id("launch_plan", project, domain, request.launch_plan,
                                      request.version)
            plan, _ = self._entity("launch_plan", plan_id)
            assert isinstance(plan, LaunchPlanSpec)
            workflow_id = EntityId(project, domain, plan.workflow, plan_id.version)
            return plan_id, plan, workflow_id
        assert request.workflow is not None
        workflow_id = self._entity_id("workflow", project, domain, request.workflow,
                                      request.version)
        try:
            default, _ = self._entity("launch_plan", workflow_id)
        except NotFoundError:
            return None, None, workflow_id
        assert isinstance(default, LaunchPlanSpec)
        return workflow_id, default, workflow_id

    def _entity(self, kind: str, entity_id: EntityId) -> tuple[Any, CodePackage | None]:
        """A registered entity; entities are immutable, so each is read from the store once."""
        key = (kind, entity_id)
        found = self._entities.get(key)
        if found is None:
            found = self._entities[key] = self.registry.get_entity(kind, entity_id)
        return found

    def _entity_id(
        self, kind: str, project: str, domain: str, name: str, version: str | None
    ) -> EntityId:
        if version is None:
            return self.registry.latest(kind, project, domain, name)
        return EntityId(project=project, domain=domain, name=name, version=version)

    def _inputs(
        self, given: dict[str, Any], workflow: WorkflowSpec, plan: LaunchPlanSpec | None
    ) -> dict[str, Literal]:
        from updraft.types import TypeConversionError, literal_from_json

        params = workflow.interface.inputs
        where = f"launch plan {plan.name!r}" if plan else f"workflow {workflow.name!r}"
        unknown = sorted(set(given) - set(params))
        if unknown:
            raise BadRequestError(
                f"{where} has no input(s) {unknown}; its inputs are "
                + (", ".join(f"{n} ({p.type.describe()})" for n, p in params.items()) or "none")
            )
        fixed = plan.fixed_inputs if plan else {}
        overridden = sorted(set(given) & set(fixed))
        if overridden:
            raise BadRequestError(
                f"{where} fixes input(s) {overridden}; they cannot be passed at launch. "
                "Leave them out, or register a launch plan that does not fix them"
            )
        literals: dict[str, Literal] = {}
        for name, param in params.items():
            if param.has_default and param.default is not None:
                literals[name] = param.default
        if plan:
            literals.update(plan.default_inputs)
        for name, value in given.items():
            try:
                literals[name] = literal_from_json(value, params[name].type, self.blobs, "inputs")
            except TypeConversionError as exc:
                raise BadRequestError(
                    f"input {name!r} of {where} expects {params[name].type.describe()}: {exc}"
                ) from None
        literals.update(fixed)
        missing = [n for n in params if n not in literals]
        if missing:
            raise BadRequestError(
                f"{where} needs input(s) "
                + ", ".join(f"{n!r} ({params[n].type.describe()})" for n in missing)
                + "; pass them in 'inputs'"
            )
        return literals

    # -- from earlier executions ---------------------------------------------------------------

    def relaunch(self, execution_id: str, launched_by: str = "relaunch") -> Execution:
        """A new execution of the same workflow, code and inputs as ``execution_id``."""
        old = self.store.get_execution(execution_id)
        spec = self.store.get_workflow_spec(old.spec_hash)
        return self._create_like(old, spec, launched_by, nodes=None)

    def recover(self, execution_id: str) -> Execution:
        """A new execution that reuses the outputs of every node that succeeded in
        ``execution_id``; only the others run again.

        Raises:
            ConflictError: the execution did not end in failure (nothing to recover).
        """
        old = self.store.get_execution(execution_id)
        if not old.phase.terminal or old.phase.value == "SUCCEEDED":
            raise ConflictError(
                f"execution {execution_id} is {old.phase.value}; only an execution that "
                "failed, timed out or was aborted can be recovered (relaunch it instead)"
            )
        spec = self.store.get_workflow_spec(old.spec_hash)
        nodes, batches = recovered_state(
            spec, self.store.get_nodes(execution_id), self.store.get_map_batches(execution_id)
        )
        return self._create_like(old, spec, "recover", nodes=nodes, batches=batches)

    def _create_like(
        self, old: Execution, spec: WorkflowSpec, launched_by: str,
        nodes: list[NodeExecution] | None, batches: list[MapBatch] | None = None,
    ) -> Execution:
        return self._create(
            spec, dict(old.inputs), project=old.project, domain=old.domain, name=None,
            labels=dict(old.labels), launched_by=launched_by, workflow_id=old.workflow_id,
            launch_plan=old.launch_plan, code=old.code, max_parallelism=old.max_parallelism,
            overwrite_cache=old.overwrite_cache, code_paths=old.code_paths,
            nodes=nodes, batches=batches, source=old.id,
        )

    # -- recording -----------------------------------------------------------------------------

    def _create(
        self,
        spec: WorkflowSpec,
        inputs: dict[str, Literal],
        *,
        project: str,
        domain: str,
        name: str | None,
        labels: dict[str, str],
        launched_by: str,
        workflow_id: EntityId | None,
        launch_plan: EntityId | None,
        code: Any,
        max_parallelism: int | None,
        overwrite_cache: bool,
        code_paths: tuple[str, ...] = (),
        nodes: list[NodeExecution] | None = None,
        execution_id: str | None = None,
        scheduled_at: datetime | None = None,
        batches: list[MapBatch] | None = None,
        source: str | None = None,
    ) -> Execution:
        execution_id = execution_id or new_execution_id()
        if code is not None:
            from updraft.store import CodePackageError, extract_package

            try:
                code_paths = (extract_package(code, self.blobs, self.code_cache),)
            except CodePackageError as exc:
                raise ConflictError(
                    f"the code package of workflow {spec.name!r} cannot be used: {exc}"
                ) from None
        stored = self._spec_hashes.get(id(spec))
        if stored is not None and stored[0] is spec:
            spec_hash = stored[1]
        else:
            spec_hash = content_hash(spec)
            self.store.put_workflow_spec(spec_hash, spec)
            if len(self._spec_hashes) > _SPEC_CACHE_SIZE:
                self._spec_hashes.clear()
            self._spec_hashes[id(spec)] = (spec, spec_hash)
        execution = Execution(
            id=execution_id,
            workflow=spec.name,
            spec_hash=spec_hash,
            inputs=inputs,
            created_at=datetime.now(UTC),
            launched_by=launched_by,
            labels=labels,
            project=project,
            domain=domain,
            code_paths=code_paths,
            name=name or execution_id,
            workflow_id=workflow_id,
            launch_plan=launch_plan,
            code=code,
            max_parallelism=max_parallelism,
            overwrite_cache=overwrite_cache,
            scheduled_at=scheduled_at,
            source=source,
        )
        if nodes is None:
            nodes = initial_nodes(spec)
        try:
            self.store.create_execution(execution, nodes, batches=batches or ())
        except ValueError as exc:  # the store refuses a name taken in the project and domain
            if name is None:
                raise
            raise ConflictError(str(exc)) from None
        return execution
