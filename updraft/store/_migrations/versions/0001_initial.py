"""The first schema: specs, executions, their nodes and events, and the cache catalog.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "workflow_specs",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
    )
    op.create_table(
        "executions",
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
    )
    op.create_index("ix_executions_created_at", "executions", ["created_at"])
    op.create_index(
        "ix_executions_project_domain_created_at",
        "executions",
        ["project", "domain", "created_at"],
    )
    op.create_index("ix_executions_phase", "executions", ["phase"])
    op.create_table(
        "node_executions",
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
    op.create_table(
        "events",
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
    )
    op.create_index("ix_events_execution_id", "events", ["execution_id"])
    op.create_table(
        "cache",
        sa.Column("key", sa.String(), primary_key=True),
        sa.Column("task_name", sa.String(), nullable=False),
        sa.Column("outputs", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
    )
    op.create_index("ix_cache_task_name", "cache", ["task_name"])


def downgrade() -> None:
    op.drop_table("cache")
    op.drop_table("events")
    op.drop_table("node_executions")
    op.drop_table("executions")
    op.drop_table("workflow_specs")
