"""The store layer: execution metadata in SQL, data in a blob store.

`SqlMetadataStore` keeps executions, their nodes and events, compiled specs and the cache
catalog in SQLite or PostgreSQL, and is also the control plane's `RegistryStore` (projects,
registered entities, launch plan state, schedule fires, execution leases); `BlobStore` keeps
files, frames and pickles in a local folder or any fsspec location. `open_store` opens both
from updraft's home (``$UPDRAFT_HOME``, default ``~/.updraft``), which local runs and the
local server share.

This package imports only the model, SQLAlchemy and Alembic (when a database is opened) and
fsspec (when a remote location is used). Importing it is cheap: SQLAlchemy loads on first use
of `SqlMetadataStore`, so a worker process that only needs `BlobStore` never pays for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from updraft.store._blobs import BlobStore
from updraft.store._home import home_blob_root, open_store, updraft_home
from updraft.store._interface import (
    CachePut,
    MetadataStore,
    NotFoundError,
    SchemaVersionError,
    Tick,
)
from updraft.store._packages import (
    CODE_PREFIX,
    CodePackageError,
    extract_package,
    package_digest,
    store_package,
)
from updraft.store._registry import (
    LOCAL_OWNER_PREFIX,
    EntityConflictError,
    RegistryStore,
    Spec,
)

if TYPE_CHECKING:
    from updraft.store._sql import SqlMetadataStore

__all__ = [
    "CODE_PREFIX",
    "LOCAL_OWNER_PREFIX",
    "BlobStore",
    "CachePut",
    "CodePackageError",
    "EntityConflictError",
    "MetadataStore",
    "NotFoundError",
    "RegistryStore",
    "SchemaVersionError",
    "Spec",
    "SqlMetadataStore",
    "Tick",
    "extract_package",
    "home_blob_root",
    "open_store",
    "package_digest",
    "store_package",
    "updraft_home",
]


def __getattr__(name: str) -> Any:
    if name == "SqlMetadataStore":
        from updraft.store._sql import SqlMetadataStore

        return SqlMetadataStore
    raise AttributeError(f"module 'updraft.store' has no attribute {name!r}")
