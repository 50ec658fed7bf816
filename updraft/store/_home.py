"""updraft's home folder and the stores opened from it.

Local runs and the local server open the same home, so a local run shows up in the console and
both use one cache (DESIGN, "One engine, everywhere").
"""

from __future__ import annotations

import os
from pathlib import Path

from updraft.store._blobs import BlobStore
from updraft.store._interface import MetadataStore

#: Environment variable naming the home folder.
HOME_ENV = "UPDRAFT_HOME"


def updraft_home() -> Path:
    """The home folder: ``$UPDRAFT_HOME`` when set, else ``~/.updraft`` (not created here).

    Example:
        >>> updraft_home()
        PosixPath('/home/me/.updraft')
    """
    return Path(os.environ.get(HOME_ENV) or "~/.updraft").expanduser().resolve()


def home_blob_root(home: str | Path | None = None) -> str:
    """Where a home keeps its blobs by default, as `BlobStore.root` spells it."""
    root = Path(home).expanduser().resolve() if home is not None else updraft_home()
    return str(root / "blobs")


def open_store(
    home: str | None = None, db_url: str | None = None, blob_root: str | None = None
) -> tuple[MetadataStore, BlobStore]:
    """Open the metadata store and the blob store of a home folder.

    Args:
        home: the home folder (created when missing); `updraft_home` by default.
        db_url: the metadata database; ``sqlite:///<home>/updraft.db`` by default.
        blob_root: where blobs go; ``<home>/blobs`` by default.

    Returns:
        ``(metadata, blobs)``; the metadata store's schema is current.

    Example:
        >>> meta, blobs = open_store()
        >>> meta.list_executions(limit=5)
    """
    from updraft.store._sql import SqlMetadataStore

    root = Path(home).expanduser().resolve() if home is not None else updraft_home()
    root.mkdir(parents=True, exist_ok=True)
    metadata = SqlMetadataStore(db_url or f"sqlite:///{root / 'updraft.db'}")
    blobs = BlobStore(blob_root or home_blob_root(root))
    return metadata, blobs
