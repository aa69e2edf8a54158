"""Undoable deletes: a deleted submission waits here, restorable, until the undo window ends.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deleted_submissions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("visitor_id", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True)),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_deleted_submissions_deleted", "deleted_submissions", ["deleted_at"])


def downgrade() -> None:
    op.drop_index("ix_deleted_submissions_deleted", table_name="deleted_submissions")
    op.drop_table("deleted_submissions")
