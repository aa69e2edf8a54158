"""Deleted submissions stay in their table, marked by `deleted_at`, instead of a copy in a
table of their own: a new column is then restorable by Undo with no more work. What waits
in `deleted_submissions` moves over, and back on downgrade.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The columns both tables have.
SHARED = "id, visitor_id, text, created_at, version, edited_at, deleted_at"


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True)))
        batch.drop_index("ix_submissions_visitor_created")
        batch.create_index(
            "ix_submissions_visitor_order", ["visitor_id", "created_at", "id"], unique=False
        )
        batch.create_index("ix_submissions_deleted", ["deleted_at"], unique=False)
    op.execute(f"INSERT INTO submissions ({SHARED}) SELECT {SHARED} FROM deleted_submissions")
    op.drop_index("ix_deleted_submissions_deleted", table_name="deleted_submissions")
    op.drop_table("deleted_submissions")


def downgrade() -> None:
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
    op.execute(
        f"INSERT INTO deleted_submissions ({SHARED}) "
        f"SELECT {SHARED} FROM submissions WHERE deleted_at IS NOT NULL"
    )
    op.execute("DELETE FROM submissions WHERE deleted_at IS NOT NULL")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_deleted")
        batch.drop_index("ix_submissions_visitor_order")
        batch.create_index(
            "ix_submissions_visitor_created", ["visitor_id", "created_at", "id"], unique=False
        )
        batch.drop_column("deleted_at")
