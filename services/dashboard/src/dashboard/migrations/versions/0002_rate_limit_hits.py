"""Sign-in attempts counted in the database, shared by every replica.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from clinic_shared.db import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_hits",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("limiter", sa.String(32), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_rate_limit_hits_key", "rate_limit_hits", ["limiter", "key_hash", "at"])
    op.create_index("ix_rate_limit_hits_at", "rate_limit_hits", ["limiter", "at"])


def downgrade() -> None:
    op.drop_table("rate_limit_hits")
