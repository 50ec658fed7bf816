"""The control plane: the REST API over the store, the engine service that runs executions,
and the services behind the routes (registration, launching, reading executions).

Routes are thin: they parse a request, call a service and answer. This package imports the
engine, store, types and model, never the SDK, the compiler or the runner. Importing it loads
FastAPI only when `create_app` is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from updraft.server._errors import ApiError, BadRequestError, ConflictError, UnavailableError
from updraft.server._prefix import API_PREFIX

if TYPE_CHECKING:
    from updraft.server._app import create_app
    from updraft.server._engine_service import EngineService

__all__ = [
    "API_PREFIX",
    "ApiError",
    "BadRequestError",
    "ConflictError",
    "EngineService",
    "UnavailableError",
    "create_app",
]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from updraft.server._app import create_app

        return create_app
    if name == "EngineService":
        from updraft.server._engine_service import EngineService

        return EngineService
    raise AttributeError(f"module 'updraft.server' has no attribute {name!r}")
