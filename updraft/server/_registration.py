"""Registration: store a code package and every task, workflow and launch plan of a version.

Registered entities are immutable. A registration is checked whole before anything is
written, so a conflict on its last entity does not leave its first ones behind; registering
the same content again is a no-op that reports everything as existing.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import io
import zipfile
from typing import Any

import msgspec

from updraft.model import (
    DOMAINS,
    CodePackage,
    EntityId,
    LaunchPlanSpec,
    Registration,
    TaskSpec,
    WorkflowSpec,
    content_hash,
)
from updraft.server._errors import BadRequestError
from updraft.store import BlobStore, EntityConflictError, NotFoundError, RegistryStore

Spec = TaskSpec | WorkflowSpec | LaunchPlanSpec


def check_domain(domain: str) -> str:
    """Return ``domain`` when it is one of `DOMAINS`; raise BadRequestError naming them."""
    if domain not in DOMAINS:
        raise BadRequestError(
            f"unknown domain {domain!r}; use one of {', '.join(DOMAINS)}"
        )
    return domain


def check_version(version: str) -> str:
    """A version is a non-empty path segment: no slash, no spaces, at most 128 characters."""
    if not version or len(version) > 128 or any(c in version for c in "/ \t\n@?#"):
        raise BadRequestError(
            f"invalid version {version!r}: use 1 to 128 characters without '/', '@', '?', "
            "'#' or spaces, e.g. 'v1' or a content hash"
        )
    return version


@dataclasses.dataclass
class RegisterOutcome:
    """What a registration stored and what it found already there."""

    created: list[tuple[str, EntityId]]
    existing: list[tuple[str, EntityId]]
    code: CodePackage | None


def decode_registration(document: dict[str, Any]) -> Registration:
    """The `Registration` a request carries; BadRequestError says which field is wrong."""
    try:
        return msgspec.convert(document, Registration)
    except msgspec.ValidationError as exc:
        raise BadRequestError(f"registration is not a valid Registration document: {exc}") from None


def decode_archive(archive: str) -> bytes:
    """The archive's bytes from base64; BadRequestError when it is not base64."""
    try:
        return base64.b64decode(archive, validate=True)
    except (binascii.Error, ValueError):
        raise BadRequestError(
            "archive is not valid base64; send the zip archive's bytes base64-encoded"
        ) from None


class RegistrationService:
    """Stores registrations in the registry and their code in the blob store."""

    def __init__(self, registry: RegistryStore, blobs: BlobStore) -> None:
        self.registry = registry
        self.blobs = blobs

    def register(self, registration: Registration, archive: bytes | None) -> RegisterOutcome:
        """Store the code package and every entity of ``registration``.

        Each workflow also gets a default launch plan under its own name unless the
        registration has one of that name.

        Raises:
            NotFoundError: the project does not exist.
            BadRequestError: a bad domain or version, two different specs under one name, or a
                launch plan whose workflow is not registered under the version.
            EntityConflictError: an entity id holds other content already.
        """
        check_domain(registration.domain)
        check_version(registration.version)
        self.registry.get_project(registration.project)
        entities = self._entities(registration)
        code = self._code(registration, archive)
        for kind, entity_id, spec in entities:
            self._check_unchanged(kind, entity_id, spec, code)
        created: list[tuple[str, EntityId]] = []
        existing: list[tuple[str, EntityId]] = []
        for kind, entity_id, spec in entities:
            is_new = self.registry.register(kind, entity_id, spec, code)
            (created if is_new else existing).append((kind, entity_id))
        return RegisterOutcome(created=created, existing=existing, code=code)

    def _code(self, registration: Registration, archive: bytes | None) -> CodePackage | None:
        from updraft.store import package_digest, store_package

        if archive is not None:
            if not zipfile.is_zipfile(io.BytesIO(archive)):
                raise BadRequestError(
                    "archive is not a zip archive; send the code package that "
                    "`updraft package` builds"
                )
            return store_package(self.blobs, archive)
        code = registration.code
        if code is None:
            return None
        try:
            data = self.blobs.get_bytes(code.uri) if self.blobs.exists(code.uri) else None
        except (OSError, ValueError):
            data = None
        if data is None or package_digest(data) != code.digest:
            raise BadRequestError(
                f"the registration's code package {code.uri!r} is not in the blob store with "
                f"digest {code.digest!r}; send the archive with the registration"
            )
        return code

    def _entities(self, registration: Registration) -> list[tuple[str, EntityId, Spec]]:
        project, domain, version = registration.project, registration.domain, registration.version

        def ident(name: str) -> EntityId:
            return EntityId(project=project, domain=domain, name=name, version=version)

        tasks: dict[str, TaskSpec] = {}
        for task in [*registration.tasks,
                     *(t for wf in registration.workflows for t in wf.tasks.values())]:
            known = tasks.setdefault(task.name, task)
            if content_hash(known) != content_hash(task):
                raise BadRequestError(
                    f"task {task.name!r} appears twice in the registration with different "
                    "specs; a name holds one spec per version"
                )
        workflows: dict[str, WorkflowSpec] = {}
        for wf in registration.workflows:
            if wf.name in workflows:
                raise BadRequestError(f"workflow {wf.name!r} appears twice in the registration")
            workflows[wf.name] = wf
        plans: dict[str, LaunchPlanSpec] = {}
        for plan in registration.launch_plans:
            if plan.name in plans:
                raise BadRequestError(
                    f"launch plan {plan.name!r} appears twice in the registration"
                )
            self._check_plan(plan, workflows.get(plan.workflow), ident(plan.workflow))
            plans[plan.name] = plan
        for wf in workflows.values():
            plans.setdefault(wf.name, LaunchPlanSpec(name=wf.name, workflow=wf.name))
        return (
            [("task", ident(n), s) for n, s in tasks.items()]
            + [("workflow", ident(n), s) for n, s in workflows.items()]
            + [("launch_plan", ident(n), s) for n, s in plans.items()]
        )

    def _check_plan(
        self, plan: LaunchPlanSpec, workflow: WorkflowSpec | None, workflow_id: EntityId
    ) -> None:
        if workflow is None:
            try:
                spec, _ = self.registry.get_entity("workflow", workflow_id)
            except NotFoundError:
                raise BadRequestError(
                    f"launch plan {plan.name!r} launches workflow {plan.workflow!r}, which is "
                    f"neither in the registration nor registered as {workflow_id}; register "
                    "the workflow with its launch plans"
                ) from None
            assert isinstance(spec, WorkflowSpec)
            workflow = spec
        inputs = workflow.interface.inputs
        for kind, names in (("default", plan.default_inputs), ("fixed", plan.fixed_inputs)):
            unknown = sorted(set(names) - set(inputs))
            if unknown:
                raise BadRequestError(
                    f"launch plan {plan.name!r} has {kind} input(s) {unknown} that workflow "
                    f"{workflow.name!r} does not take; its inputs are {sorted(inputs)}"
                )
        arg = plan.kickoff_time_input_arg
        if arg is not None and arg not in inputs:
            raise BadRequestError(
                f"launch plan {plan.name!r}: kickoff_time_input_arg {arg!r} is not an input of "
                f"workflow {workflow.name!r}; its inputs are {sorted(inputs)}"
            )

    def _check_unchanged(
        self, kind: str, entity_id: EntityId, spec: Spec, code: CodePackage | None
    ) -> None:
        try:
            stored, stored_code = self.registry.get_entity(kind, entity_id)
        except NotFoundError:
            return
        same_code = (stored_code.digest if stored_code else None) == (
            code.digest if code else None
        )
        if content_hash(stored) != content_hash(spec) or not same_code:
            what = "spec" if content_hash(stored) != content_hash(spec) else "code package"
            raise EntityConflictError(
                f"{kind.replace('_', ' ')} {entity_id} is already registered with another "
                f"{what}; registered entities are immutable, so register under a new version"
            )
