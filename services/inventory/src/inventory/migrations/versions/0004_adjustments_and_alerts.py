"""Adjustments to lots, and alerts deduplicated by subject and window.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from clinic_shared.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "adjustments",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("lot_id", sa.Uuid, sa.ForeignKey("lots.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("quantity_before", sa.Integer, nullable=False),
        sa.Column("quantity_after", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("adjusted_by", sa.String(100), nullable=False),
        sa.Column("adjusted_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("product_code", sa.String(50), nullable=False),
        sa.Column("lot_id", sa.Uuid, nullable=True),
        sa.Column("session_id", sa.Uuid, nullable=True),
        sa.Column("message", sa.String(500), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_alerts_status_kind", "alerts", ["status", "kind"])


def downgrade() -> None:
    op.drop_table("alerts")
    op.drop_table("adjustments")
