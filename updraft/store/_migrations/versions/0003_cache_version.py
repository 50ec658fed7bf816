"""The cache catalog records each entry's cache version, so ``updraft cache clear`` can remove
one version of a task's entries. Entries written before this revision have none (NULL) and
are removed only when every version of their task is cleared.

Revision ID: 0003
Revises: 0002
Create Date: 2025-03-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cache", sa.Column("version", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cache") as batch:
        batch.drop_column("version")
