"""Alembic's entry point for the metadata store's migrations.

`updraft.store._migrate` runs it programmatically and hands over an open connection (in
``config.attributes["connection"]``) whose transaction it commits itself, after taking a lock
so that two processes opening a new database do not both create the tables. Without a
connection (the ``alembic`` command line with ``-x url=...`` or ``sqlalchemy.url``), it opens
its own engine; ``--sql`` prints the DDL instead of running it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from updraft.store._schema import metadata

config = context.config


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError(
            "no database URL for the updraft migrations: pass -x url=sqlite:///path/updraft.db "
            "or set sqlalchemy.url"
        )
    return url


def _run_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = sa.create_engine(_url())
    try:
        with engine.connect() as conn:
            context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    _run_offline()
else:
    _run_online()
