"""The metadata store's tables, as SQLAlchemy Core `Table` objects.

This module only describes the current shape of the tables so that `_sql` can build
statements. Creating and changing them is the migrations' job (``_migrations/versions``):
each migration spells out its own DDL, so this file may evolve while old migrations stay as
they were. A test checks that the migrated schema and these tables agree.

Timestamps are seconds since the epoch (double precision): portable between SQLite and
PostgreSQL, sortable and timezone-free. Documents are the msgspec JSON of the model's Structs,
kept as text; the other columns of a row exist to filter, sort and join.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

#: Autoincrementing integer keys: BIGSERIAL on PostgreSQL, the rowid alias on SQLite.
_ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

workflow_specs = sa.Table(
    "workflow_specs",
    metadata,
    sa.Column("hash", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(), nullable=False),
    sa.Column("spec", sa.Text(), nullable=False),
    sa.Column("created_at", sa.Double(), nullable=False),
)

executions = sa.Table(
    "executions",
    metadata,
    sa.Column("id", sa.String(), primary_key=True),
    sa.Column("workflow", sa.String(), nullable=False),
    sa.Column("spec_hash", sa.String(64), nullable=False),
    sa.Column("project", sa.String(), nullable=False),
    sa.Column("domain", sa.String(), nullable=False),
    sa.Column("phase", sa.String(16), nullable=False),
    sa.Column("launched_by", sa.String(), nullable=False),
    sa.Column("created_at", sa.Double(), nullable=False),
    sa.Column("started_at", sa.Double(), nullable=True),
    sa.Column("ended_at", sa.Double(), nullable=True),
    sa.Column("document", sa.Text(), nullable=False),
    # Unique per project and domain when set; '' means unnamed (local runs).
    sa.Column("name", sa.String(), nullable=False, server_default=""),
    # The engine loop that holds the execution, and until when (epoch seconds).
    sa.Column("lease_owner", sa.String(), nullable=True),
    sa.Column("lease_until", sa.Double(), nullable=True),
    sa.Index("ix_executions_created_at", "created_at"),
    sa.Index("ix_executions_project_domain_created_at", "project", "domain", "created_at"),
    sa.Index("ix_executions_phase", "phase"),
    sa.Index(
        "ux_executions_project_domain_name",
        "project",
        "domain",
        "name",
        unique=True,
        sqlite_where=sa.text("name != ''"),
        postgresql_where=sa.text("name != ''"),
    ),
)

node_executions = sa.Table(
    "node_executions",
    metadata,
    sa.Column(
        "execution_id",
        sa.String(),
        sa.ForeignKey("executions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("node_id", sa.String(), primary_key=True),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("phase", sa.String(16), nullable=False),
    sa.Column("document", sa.Text(), nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", _ROW_ID, primary_key=True, autoincrement=True),
    sa.Column(
        "execution_id",
        sa.String(),
        sa.ForeignKey("executions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("node_id", sa.String(), nullable=True),
    sa.Column("attempt", sa.Integer(), nullable=False),
    sa.Column("phase", sa.String(), nullable=False),
    sa.Column("at", sa.Double(), nullable=False),
    sa.Column("detail", sa.Text(), nullable=False),
    sa.Index("ix_events_execution_id", "execution_id"),
)

cache = sa.Table(
    "cache",
    metadata,
    sa.Column("key", sa.String(), primary_key=True),
    sa.Column("task_name", sa.String(), nullable=False),
    sa.Column("outputs", sa.Text(), nullable=False),
    sa.Column("created_at", sa.Double(), nullable=False),
    sa.Column("version", sa.String(), nullable=True),
    sa.Index("ix_cache_task_name", "task_name"),
)

projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", sa.String(), primary_key=True),
    sa.Column("document", sa.Text(), nullable=False),
    sa.Column("created_at", sa.Double(), nullable=False),
)

#: Registered tasks, workflows and launch plans; a row never changes once written.
entities = sa.Table(
    "entities",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("project", sa.String(), sa.ForeignKey("projects.id"), primary_key=True),
    sa.Column("domain", sa.String(), primary_key=True),
    sa.Column("name", sa.String(), primary_key=True),
    sa.Column("version", sa.String(), primary_key=True),
    # SHA-256 of the spec's canonical JSON (`updraft.model.content_hash`).
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("spec", sa.Text(), nullable=False),
    sa.Column("code", sa.Text(), nullable=True),
    sa.Column("created_at", sa.Double(), nullable=False),
    # Registration order (nanoseconds, strictly increasing per process): newest first.
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Index("ix_entities_kind_project_domain_seq", "kind", "project", "domain", "seq"),
)

#: The active version of each launch plan name; NULL (or no row) means inactive.
launch_plan_state = sa.Table(
    "launch_plan_state",
    metadata,
    sa.Column("project", sa.String(), primary_key=True),
    sa.Column("domain", sa.String(), primary_key=True),
    sa.Column("name", sa.String(), primary_key=True),
    sa.Column("active_version", sa.String(), nullable=True),
    # When the name's current active period began (NULL while inactive): a schedule does
    # not catch up on times before it.
    sa.Column("activated_at", sa.Double(), nullable=True),
    sa.Column("updated_at", sa.Double(), nullable=False),
)

#: One row per scheduled time a plan name fired; the key makes a second fire impossible.
schedule_fires = sa.Table(
    "schedule_fires",
    metadata,
    sa.Column("project", sa.String(), primary_key=True),
    sa.Column("domain", sa.String(), primary_key=True),
    sa.Column("name", sa.String(), primary_key=True),
    sa.Column("scheduled_at", sa.Double(), primary_key=True),
    sa.Column("version", sa.String(), nullable=False),
    sa.Column("execution_id", sa.String(), nullable=False),
    sa.Column("created_at", sa.Double(), nullable=False),
)

#: The elements of map nodes, packed: one row per batch of elements that ran together, its
#: document the msgspec JSON of a `MapBatch` (DESIGN: "Map elements are stored packed").
map_batches = sa.Table(
    "map_batches",
    metadata,
    sa.Column(
        "execution_id",
        sa.String(),
        sa.ForeignKey("executions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("node_id", sa.String(), primary_key=True),
    sa.Column("batch", sa.Integer(), primary_key=True),
    sa.Column("document", sa.Text(), nullable=False),
)
