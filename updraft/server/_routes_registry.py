"""Routes for projects, domains, registration, registered entities and launch plan state."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from updraft.model import DOMAINS, ENTITY_KINDS, EntityId, Project
from updraft.server._app import Services, services
from updraft.server._registration import (
    check_domain,
    check_version,
    decode_archive,
    decode_registration,
)
from updraft.server._schemas import (
    NAME_PATTERN,
    BackfillRequest,
    BackfillResponse,
    DomainList,
    EntityIdOut,
    EntityList,
    ErrorBody,
    LaunchPlanState,
    ProjectCreate,
    ProjectList,
    ProjectOut,
    RegisteredEntity,
    RegisterRequest,
    RegisterResponse,
)

router = APIRouter()

Svc = Annotated[Services, Depends(services)]
ProjectId = Annotated[str, Path(pattern=NAME_PATTERN)]
Domain = Annotated[str, Path(description=f"One of {', '.join(DOMAINS)}.")]
EntityName = Annotated[str, Path(pattern=r"^[^\x00-\x1f/]{1,256}$")]
Version = Annotated[str, Path(pattern=r"^[^\x00-\x1f/]{1,128}$")]

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody}, 404: {"model": ErrorBody}, 409: {"model": ErrorBody},
}

# The URL word of each entity kind.
_KINDS = {"tasks": "task", "workflows": "workflow", "launch_plans": "launch_plan"}
assert set(_KINDS.values()) == set(ENTITY_KINDS)


def _project_out(project: Project) -> ProjectOut:
    return ProjectOut(id=project.id, name=project.name, description=project.description)


def _id_out(entity_id: EntityId) -> EntityIdOut:
    return EntityIdOut(**msgspec.structs.asdict(entity_id))


@router.post("/projects", status_code=201, response_model=ProjectOut, responses=_ERRORS,
             tags=["projects"])
def create_project(body: ProjectCreate, svc: Svc) -> ProjectOut:
    """Create a project (creating an existing one returns it unchanged)."""
    project = svc.registry.create_project(
        Project(id=body.id, name=body.name or body.id, description=body.description)
    )
    return _project_out(project)


@router.get("/projects", response_model=ProjectList, tags=["projects"])
def list_projects(svc: Svc) -> ProjectList:
    """Every project, by id."""
    return ProjectList(projects=[_project_out(p) for p in svc.registry.list_projects()])


@router.get("/projects/{project}", response_model=ProjectOut, responses=_ERRORS,
            tags=["projects"])
def get_project(project: ProjectId, svc: Svc) -> ProjectOut:
    """One project."""
    return _project_out(svc.registry.get_project(project))


@router.get("/domains", response_model=DomainList, tags=["projects"])
def list_domains() -> DomainList:
    """The domains every project has."""
    return DomainList(domains=list(DOMAINS))


@router.post("/register", response_model=RegisterResponse, responses=_ERRORS,
             tags=["registration"])
def register(body: RegisterRequest, svc: Svc) -> RegisterResponse:
    """Store a code package and every task, workflow and launch plan of one version.

    The same content again is a no-op; other content under a registered id is refused (409).
    """
    registration = decode_registration(body.registration)
    archive = decode_archive(body.archive) if body.archive is not None else None
    outcome = svc.registration.register(registration, archive)
    return RegisterResponse(
        created=[RegisteredEntity(kind=k, id=_id_out(i)) for k, i in outcome.created],
        existing=[RegisteredEntity(kind=k, id=_id_out(i)) for k, i in outcome.existing],
        code=msgspec.structs.asdict(outcome.code) if outcome.code else None,
    )


def _list(svc: Services, kind: str, project: str, domain: str, name: str | None,
          limit: int, offset: int) -> EntityList:
    check_domain(domain)
    svc.registry.get_project(project)
    ids = svc.registry.list_entities(kind, project, domain, name)
    return EntityList(entities=[_id_out(i) for i in ids[offset:offset + limit]])


Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


def _entity_routes(word: str, kind: str) -> None:

    @router.get(f"/{word}/{{project}}/{{domain}}", response_model=EntityList,
                responses=_ERRORS, tags=["entities"], name=f"list_{word}",
                summary=f"List registered {word.replace('_', ' ')}")
    def list_all(project: ProjectId, domain: Domain, svc: Svc, limit: Limit = 100,
                 offset: Offset = 0) -> EntityList:
        return _list(svc, kind, project, domain, None, limit, offset)

    @router.get(f"/{word}/{{project}}/{{domain}}/{{name}}", response_model=EntityList,
                responses=_ERRORS, tags=["entities"], name=f"list_{word}_versions",
                summary=f"List the versions of one of the {word.replace('_', ' ')}")
    def list_versions(project: ProjectId, domain: Domain, name: EntityName, svc: Svc,
                      limit: Limit = 100, offset: Offset = 0) -> EntityList:
        return _list(svc, kind, project, domain, name, limit, offset)

    @router.get(f"/{word}/{{project}}/{{domain}}/{{name}}/{{version}}", responses=_ERRORS,
                tags=["entities"], name=f"get_{word}",
                summary=f"Get one of the {word.replace('_', ' ')}: its spec and code package")
    def get_one(project: ProjectId, domain: Domain, name: EntityName, version: Version,
                svc: Svc) -> Response:
        check_domain(domain)
        entity_id = EntityId(project=project, domain=domain, name=name, version=version)
        spec, code = svc.registry.get_entity(kind, entity_id)
        body: dict[str, Any] = {"kind": kind, "id": entity_id, "spec": spec, "code": code}
        if kind == "launch_plan":
            body["active"] = entity_id in svc.registry.active_launch_plans()
        return Response(msgspec.json.encode(body), media_type="application/json")


for _word, _kind in _KINDS.items():
    _entity_routes(_word, _kind)


def _set_active(svc: Services, project: str, domain: str, name: str, version: str | None,
                active: bool) -> LaunchPlanState:
    check_domain(domain)
    if version is None:
        entity_id = svc.registry.latest("launch_plan", project, domain, name)
    else:
        entity_id = EntityId(project=project, domain=domain, name=name,
                             version=check_version(version))
        svc.registry.get_entity("launch_plan", entity_id)
    svc.registry.set_launch_plan_active(entity_id, active)
    return LaunchPlanState(id=_id_out(entity_id), active=active)


OptVersion = Annotated[str | None, Query(description="The version; the latest by default.")]


@router.post("/launch_plans/{project}/{domain}/{name}/activate", response_model=LaunchPlanState,
             responses=_ERRORS, tags=["entities"])
def activate(project: ProjectId, domain: Domain, name: EntityName, svc: Svc,
             version: OptVersion = None) -> LaunchPlanState:
    """Activate a launch plan version (its schedule fires); other versions are deactivated."""
    return _set_active(svc, project, domain, name, version, True)


@router.post("/launch_plans/{project}/{domain}/{name}/deactivate",
             response_model=LaunchPlanState, responses=_ERRORS, tags=["entities"])
def deactivate(project: ProjectId, domain: Domain, name: EntityName, svc: Svc,
               version: OptVersion = None) -> LaunchPlanState:
    """Deactivate a launch plan version: its schedule stops firing."""
    return _set_active(svc, project, domain, name, version, False)


@router.post("/launch_plans/{project}/{domain}/{name}/backfill", response_model=BackfillResponse,
             responses=_ERRORS, tags=["entities"])
def backfill(project: ProjectId, domain: Domain, name: EntityName, body: BackfillRequest,
             svc: Svc, version: OptVersion = None) -> BackfillResponse:
    """Launch every time of the plan's schedule in a range that has not been launched yet."""
    from updraft.server._backfill import backfill_range

    check_domain(domain)
    if version is not None:
        check_version(version)
    entity_id = (
        EntityId(project, domain, name, version) if version
        else svc.registry.latest("launch_plan", project, domain, name)
    )
    launched = backfill_range(svc.registry, svc.launcher, entity_id, body.start, body.end)
    svc.wake()
    return BackfillResponse(launched={t.isoformat(): e for t, e in launched.items()})
