"""Routes of the web console: the views its pages read (under the API prefix) and the console
itself, a single-page app served from the package's static folder.

Every path outside the API answers the app's ``index.html``, so that a page's address
(``/``, ``/console/executions/abc``) can be reloaded or shared; the app routes on it in the
browser. Static files (the app's scripts and the vendored libraries a build puts in
``static/vendor``) are under ``/static``. When the package was built without its console
(no ``index.html`` or no vendored libraries), ``/`` says how to build it instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.background import BackgroundTask

from updraft.model import EntityId
from updraft.server._prefix import API_PREFIX
from updraft.server._registration import check_domain
from updraft.server._schemas import (
    NAME_PATTERN,
    ErrorBody,
    ExecutionGraph,
    ExecutionTimeline,
    IoView,
    LaunchForm,
    MapElements,
)
from updraft.server._views import ConsoleViews
from updraft.store import BlobStore, MetadataStore, RegistryStore

#: The console's files, shipped in the package.
STATIC_DIR = Path(__file__).parent / "_console" / "static"

router = APIRouter(tags=["console"])
pages = APIRouter(include_in_schema=False)

ExecutionId = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9_.\-]{1,128}$")]
NodeId = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9_.\-]{1,128}$")]
ProjectId = Annotated[str, PathParam(pattern=NAME_PATTERN)]
EntityName = Annotated[str, PathParam(pattern=r"^[^\x00-\x1f/]{1,256}$")]
Version = Annotated[str, PathParam(pattern=r"^[^\x00-\x1f/]{1,128}$")]

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody}, 404: {"model": ErrorBody},
}


def views(request: Request) -> ConsoleViews:
    """The application's console views."""
    found: ConsoleViews = request.app.state.console_views
    return found


Views = Annotated[ConsoleViews, Depends(views)]


def _model(body: BaseModel) -> Response:
    return Response(body.model_dump_json(), media_type="application/json")


@router.get("/executions/{execution_id}/graph", response_model=ExecutionGraph,
            responses=_ERRORS, response_class=Response)
def execution_graph(execution_id: ExecutionId, console: Views) -> Response:
    """The workflow's DAG merged with each node's phase, attempts, cache status and times;
    children of dynamic, subworkflow and branch nodes included, map nodes collapsed."""
    return _model(console.graph(execution_id))


@router.get("/executions/{execution_id}/timeline", response_model=ExecutionTimeline,
            responses=_ERRORS, response_class=Response)
def execution_timeline(execution_id: ExecutionId, console: Views) -> Response:
    """One bar per node attempt (per batch for map nodes) on the execution's time axis."""
    return _model(console.timeline(execution_id))


@router.get("/executions/{execution_id}/io", response_model=IoView, responses=_ERRORS,
            response_class=Response)
def execution_io(execution_id: ExecutionId, console: Views) -> Response:
    """The execution's inputs and outputs, rendered by type."""
    return _model(console.execution_io(execution_id))


@router.get("/executions/{execution_id}/nodes/{node_id}/io", response_model=IoView,
            responses=_ERRORS, response_class=Response)
def node_io(execution_id: ExecutionId, node_id: NodeId, console: Views) -> Response:
    """A node's inputs (resolved from its bindings) and outputs, rendered by type."""
    return _model(console.node_io(execution_id, node_id))


@router.get("/executions/{execution_id}/nodes/{node_id}/elements", response_model=MapElements,
            responses=_ERRORS, response_class=Response)
def map_elements(
    execution_id: ExecutionId, node_id: NodeId, console: Views,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """A page of a map node's elements: index, phase, attempts, cache status, duration and
    error."""
    return _model(console.elements(execution_id, node_id, offset, limit))


@router.get("/blobs", responses={
    **_ERRORS, 200: {"description": "The blob's bytes; a directory as a zip archive.",
                     "content": {"application/octet-stream": {}}}},
    response_class=Response)
def download_blob(
    console: Views,
    uri: Annotated[str, Query(min_length=1, max_length=4096,
                              description="A blob URI of the server's blob store.")],
) -> Response:
    """Download a value an execution stored (a file, data frame, pickle or directory)."""
    found = console.download(uri)
    if found.path is not None:
        cleanup = BackgroundTask(os.remove, found.path) if found.temporary else None
        return FileResponse(found.path, media_type=found.media_type, filename=found.filename,
                            background=cleanup)
    return Response(
        found.data or b"", media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{_quoted(found.filename)}"'},
    )


def _quoted(name: str) -> str:
    return "".join(c if c.isprintable() and c not in '"\\' else "_" for c in name)


def _form(console: ConsoleViews, kind: str, project: str, domain: str, name: str,
          version: str) -> Response:
    check_domain(domain)
    entity = EntityId(project=project, domain=domain, name=name, version=version)
    return _model(console.form(kind, entity))


@router.get("/workflows/{project}/{domain}/{name}/{version}/form", response_model=LaunchForm,
            responses=_ERRORS, response_class=Response, tags=["entities"])
def workflow_form(project: ProjectId, domain: str, name: EntityName, version: Version,
                  console: Views) -> Response:
    """The launch form of a workflow version: its inputs with types, defaults (those of its
    default launch plan, which a launch of the workflow uses) and whether each is required."""
    return _form(console, "workflow", project, domain, name, version)


@router.get("/launch_plans/{project}/{domain}/{name}/{version}/form",
            response_model=LaunchForm, responses=_ERRORS, response_class=Response,
            tags=["entities"])
def launch_plan_form(project: ProjectId, domain: str, name: EntityName, version: Version,
                     console: Views) -> Response:
    """The launch form of a launch plan version: its workflow's inputs with the plan's
    defaults, and the inputs it fixes."""
    return _form(console, "launch_plan", project, domain, name, version)


# -- the console app -------------------------------------------------------------------------

_NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>updraft: console not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>The updraft console is not built</h1>
<p>This server runs, and its API answers under <a href="{api}/docs">{api}</a>, but the web
console's files are missing from the installed package: {missing}.</p>
<p>The console's libraries come from npm when the package is built. Install
<a href="https://nodejs.org/">Node.js</a> (it brings <code>npm</code>) and reinstall from the
source folder: <code>pip install .</code> (or <code>pip install -e .</code>); the build runs
<code>npm ci</code> in <code>console/</code> and copies the libraries into
<code>updraft/server/_console/static/vendor/</code>. Then restart <code>updraft serve</code>.</p>
</body></html>
"""


def console_missing(static: Path) -> str | None:
    """What of the console is missing from ``static``, None when it is complete."""
    if not (static / "index.html").is_file():
        return f"{static / 'index.html'} does not exist"
    vendor = static / "vendor"
    if not vendor.is_dir() or not any(vendor.iterdir()):
        return f"the vendored libraries in {vendor} are missing"
    return None


def _index() -> Response:
    missing = console_missing(STATIC_DIR)
    if missing is not None:
        return HTMLResponse(_NOT_BUILT.format(api=API_PREFIX, missing=missing), status_code=503)
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html",
                        headers={"Cache-Control": "no-cache"})


@pages.get("/")
def console_root() -> Response:
    """The console app."""
    return _index()


@pages.get("/{path:path}")
def console_page(path: str) -> Response:
    """Any page of the console app (it routes in the browser); unknown API paths are 404."""
    prefix = API_PREFIX.strip("/")
    if path == prefix or path.startswith(prefix + "/") or path.startswith("static/"):
        return JSONResponse(
            {"error": "not_found",
             "message": f"no route GET /{path}; the API's routes are listed at "
                        f"{API_PREFIX}/docs"},
            status_code=404,
        )
    return _index()


def install_console(
    app: FastAPI, store: MetadataStore, registry: RegistryStore, blobs: BlobStore
) -> None:
    """Add the console's views, its static files and its pages to ``app``.

    Call it after every API router is included: the pages answer every path no other route
    takes.
    """
    app.state.console_views = ConsoleViews(store, registry, blobs)
    app.include_router(router, prefix=API_PREFIX)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(pages)
