"""Edits: a version number for each submission (no lost updates) and when it was last edited.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("edited_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("edited_at")
        batch.drop_column("version")
