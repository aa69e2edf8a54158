"""Pinned submissions: a flag that puts them first in every list, and the list order's index
to match (visitor, pinned, created_at, id).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.drop_index("ix_submissions_visitor_order")
        batch.create_index(
            "ix_submissions_visitor_order", ["visitor_id", "pinned", "created_at", "id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_visitor_order")
        batch.create_index("ix_submissions_visitor_order", ["visitor_id", "created_at", "id"])
        batch.drop_column("pinned")
