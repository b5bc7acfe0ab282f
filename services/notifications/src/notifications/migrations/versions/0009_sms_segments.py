"""The segments each SMS sent took (what the provider bills; UCS-2 takes more).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("segments", sa.Integer, nullable=True))


def downgrade() -> None:
    op.drop_column("messages", "segments")
