"""Map nodes keep their elements packed, one row per batch of elements that ran together
(a `MapBatch` document), so a map over 10,000 elements writes a few rows, not 10,000.

Revision ID: 0004
Revises: 0003
Create Date: 2025-04-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "map_batches",
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


def downgrade() -> None:
    op.drop_table("map_batches")
