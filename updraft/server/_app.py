"""The FastAPI application: wiring of services, authentication, error mapping and OpenAPI.

Routes live in ``_routes_*`` modules and only parse, call a service and answer; this module
builds the services once per application and turns every error into a JSON body with a
message. A request the server refuses is a 4xx; anything unexpected is a 500 with a short
message while the traceback goes to the server's log.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from typing import TYPE_CHECKING, Any

import msgspec
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from updraft.model import (
    Event,
    Execution,
    ExecutionDocument,
    LaunchPlanSpec,
    NodeExecution,
    TaskSpec,
    WorkflowSpec,
)
from updraft.server._errors import ApiError
from updraft.server._executions import ExecutionReader
from updraft.server._launcher import Launcher
from updraft.server._prefix import API_PREFIX
from updraft.server._registration import RegistrationService
from updraft.store import (
    BlobStore,
    EntityConflictError,
    MetadataStore,
    NotFoundError,
    RegistryStore,
)

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from updraft.server._engine_service import EngineService

log = logging.getLogger("updraft.server")



@dataclasses.dataclass
class Services:
    """What the routes call; one per application, kept on ``app.state.services``."""

    store: MetadataStore
    registry: RegistryStore
    blobs: BlobStore
    engine: EngineService | None
    registration: RegistrationService
    launcher: Launcher
    reader: ExecutionReader
    home: str

    def wake(self) -> None:
        """Tell the engine a new execution is queued."""
        if self.engine is not None:
            self.engine.wake()


def services(request: Request) -> Services:
    """The application's services, for a route."""
    found: Services = request.app.state.services
    return found


class _TokenGuard:
    """Refuses every API request without ``Authorization: Bearer <token>`` (401).

    The console's pages and static files (everything outside the API prefix) hold no data
    and are served without it: a browser cannot send the header when it opens the page, and
    the page then sends the token with each API call.
    """

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] not in ("http", "websocket") or not (
            path == API_PREFIX or path.startswith(API_PREFIX + "/")
        ):
            await self.app(scope, receive, send)
            return
        given = b""
        for key, value in scope.get("headers", ()):
            if key == b"authorization":
                given = value
                break
        if secrets.compare_digest(given, self.expected):
            await self.app(scope, receive, send)
            return
        message = (
            "this server needs an API token: send the header 'Authorization: Bearer <token>' "
            "(the updraft CLI sends $UPDRAFT_TOKEN)"
            if not given
            else "the API token in the Authorization header is wrong; use the token the "
            "server was started with (--token or UPDRAFT_TOKEN)"
        )
        response = JSONResponse(
            {"error": "unauthorized", "message": message},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
        await response(scope, receive, send)


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:10]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts)


def _install_error_handlers(app: FastAPI) -> None:
    from updraft.types import TypeConversionError

    async def api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return _error(exc.status, exc.code, exc.message)

    async def not_found(_: Request, exc: Exception) -> JSONResponse:
        return _error(404, "not_found", str(exc).strip("'\""))

    async def conflict(_: Request, exc: Exception) -> JSONResponse:
        return _error(409, "conflict", str(exc))

    async def bad_value(_: Request, exc: Exception) -> JSONResponse:
        return _error(400, "bad_request", str(exc))

    async def invalid(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _error(422, "invalid_request", _validation_message(exc))

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return _error(
            500, "internal",
            f"the server failed on this request ({type(exc).__name__}); its log has the "
            "traceback",
        )

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(EntityConflictError, conflict)
    app.add_exception_handler(TypeConversionError, bad_value)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(Exception, unexpected)


def _install_openapi(app: FastAPI) -> None:
    """Add the model structs' JSON schemas (from msgspec) to the generated OpenAPI spec."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = get_openapi(
            title=app.title, version=app.version, description=app.description,
            routes=app.routes,
        )
        _, components = msgspec.json.schema_components(
            [ExecutionDocument, Execution, NodeExecution, Event, TaskSpec, WorkflowSpec,
             LaunchPlanSpec],
            ref_template="#/components/schemas/{name}",
        )
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        for name, schema in components.items():
            schemas.setdefault(name, schema)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(
    store: MetadataStore,
    blobs: BlobStore,
    engine: EngineService | None,
    *,
    token: str | None = None,
    home: str,
) -> FastAPI:
    """The control plane's REST application.

    Args:
        store: the metadata store; it must also be a `RegistryStore` (the SQL store is both).
        blobs: the blob store for code packages and input data.
        engine: the engine service that runs executions; None serves a read-only view in which
            launched executions wait for an engine elsewhere and terminate answers 503.
        token: when set, every request must carry ``Authorization: Bearer <token>``.
        home: updraft's home; code packages are extracted under ``<home>/envs/code``.

    Returns:
        The FastAPI application; serve it with uvicorn. Routes are under ``/api/v1``.

    Raises:
        TypeError: ``store`` does not keep a registry.

    Example:
        >>> meta, blobs = open_store(home)
        >>> app = create_app(meta, blobs, None, home=home)
    """
    from updraft.server._routes_console import install_console
    from updraft.server._routes_executions import router as executions_router
    from updraft.server._routes_registry import router as registry_router

    if not isinstance(store, RegistryStore):
        raise TypeError(
            f"the server needs a store that keeps a registry (SqlMetadataStore), got "
            f"{type(store).__name__}"
        )
    app = FastAPI(
        title="updraft",
        version="1",
        description="The updraft control plane: projects, registered tasks, workflows and "
        "launch plans, and executions.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.services = Services(
        store=store,
        registry=store,
        blobs=blobs,
        engine=engine,
        registration=RegistrationService(store, blobs),
        launcher=Launcher(store, store, blobs, home),
        reader=ExecutionReader(
            store, blobs, live_output=engine.live_output if engine is not None else None
        ),
        home=home,
    )
    app.include_router(registry_router, prefix=API_PREFIX)
    app.include_router(executions_router, prefix=API_PREFIX)
    install_console(app, store, store, blobs)
    _install_error_handlers(app)
    _install_openapi(app)
    if token:
        app.add_middleware(_TokenGuard, token=token)
    return app
