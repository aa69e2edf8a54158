"""The submissions table, as the app first stored it.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("visitor_id", sa.String(32), nullable=False),
        sa.Column("request_id", sa.String(64)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("visitor_id", "request_id", name="uq_submissions_visitor_request"),
    )
    op.create_index(
        "ix_submissions_visitor_created", "submissions", ["visitor_id", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_submissions_visitor_created", table_name="submissions")
    op.drop_table("submissions")
