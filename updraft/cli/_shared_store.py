"""Opening the store that ``updraft serve`` and ``updraft worker`` share with their peers.

A database that cannot be reached, a URL that is not one, or a blob store that cannot be
created ends the command with one line naming what was tried (exit 2), never a traceback.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from updraft.store import BlobStore, SqlMetadataStore

_PASSWORD = re.compile(r"(://[^:/@]*:)[^@/]*@")


def _shown(url: str) -> str:
    """``url`` without the password it may carry."""
    return _PASSWORD.sub(r"\1***@", url)


def open_shared_store(
    command: str, home: str | None, db_url: str | None, blob_root: str | None
) -> tuple[str, SqlMetadataStore, BlobStore]:
    """The home folder, the SQL store (metadata and registry) and the blob store.

    Exits with status 2 and a one-line message when either store cannot be opened.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from updraft.store import SqlMetadataStore, open_store, updraft_home

    try:
        home_dir = str(updraft_home() if home is None else home)
        metadata, blobs = open_store(home_dir, db_url, blob_root)
    except (SQLAlchemyError, OSError, ValueError, ImportError) as exc:
        where = f"database {_shown(db_url)}" if db_url else "the home's SQLite database"
        where += f", blob store {blob_root}" if blob_root else ""
        detail = " ".join(str(exc).split("\n")[0].split())
        click.echo(
            f"updraft {command}: cannot open the store ({where}): {type(exc).__name__}: "
            f"{detail}; check --db, --store and --home",
            err=True,
        )
        sys.exit(2)
    if not isinstance(metadata, SqlMetadataStore):
        metadata.close()
        click.echo(f"updraft {command}: the store {metadata!r} keeps no registry or execution "
                   "leases; use a SQL database (--db)", err=True)
        sys.exit(2)
    return home_dir, metadata, blobs
