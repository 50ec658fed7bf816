"""The control plane's registry: projects, registered entities, launch plan state, schedule
fires, and execution names and leases.

Revision ID: 0002
Revises: 0001
Create Date: 2025-02-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "executions", sa.Column("name", sa.String(), nullable=False, server_default="")
    )
    op.add_column("executions", sa.Column("lease_owner", sa.String(), nullable=True))
    op.add_column("executions", sa.Column("lease_until", sa.Double(), nullable=True))
    op.create_index(
        "ux_executions_project_domain_name",
        "executions",
        ["project", "domain", "name"],
        unique=True,
        sqlite_where=sa.text("name != ''"),
        postgresql_where=sa.text("name != ''"),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
    )
    op.create_table(
        "entities",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("project", sa.String(), sa.ForeignKey("projects.id"), primary_key=True),
        sa.Column("domain", sa.String(), primary_key=True),
        sa.Column("name", sa.String(), primary_key=True),
        sa.Column("version", sa.String(), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("spec", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
    )
    op.create_index(
        "ix_entities_kind_project_domain_seq",
        "entities",
        ["kind", "project", "domain", "seq"],
    )
    op.create_table(
        "launch_plan_state",
        sa.Column("project", sa.String(), primary_key=True),
        sa.Column("domain", sa.String(), primary_key=True),
        sa.Column("name", sa.String(), primary_key=True),
        sa.Column("active_version", sa.String(), nullable=True),
        sa.Column("activated_at", sa.Double(), nullable=True),
        sa.Column("updated_at", sa.Double(), nullable=False),
    )
    op.create_table(
        "schedule_fires",
        sa.Column("project", sa.String(), primary_key=True),
        sa.Column("domain", sa.String(), primary_key=True),
        sa.Column("name", sa.String(), primary_key=True),
        sa.Column("scheduled_at", sa.Double(), primary_key=True),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("execution_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("schedule_fires")
    op.drop_table("launch_plan_state")
    op.drop_table("entities")
    op.drop_table("projects")
    op.drop_index("ux_executions_project_domain_name", table_name="executions")
    with op.batch_alter_table("executions") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
        batch.drop_column("name")
