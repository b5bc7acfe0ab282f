"""Known sign-in sources (devices and addresses, hashed) and sign-in alerts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from clinic_shared.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "known_sign_in_sources",
        sa.Column(
            "account_id",
            sa.Uuid,
            sa.ForeignKey("staff_accounts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("key_hash", sa.String(64), primary_key=True),
        sa.Column("last_signed_in_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "sign_in_alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "account_id",
            sa.Uuid,
            sa.ForeignKey("staff_accounts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("since", UTCDateTime, nullable=False),
        sa.Column("last_at", UTCDateTime, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("owner_told_at", UTCDateTime, nullable=True),
    )
    op.create_index(
        "ux_sign_in_alerts_untold",
        "sign_in_alerts",
        ["account_id"],
        unique=True,
        postgresql_where=sa.text("owner_told_at IS NULL"),
    )
    op.create_index("ix_sign_in_alerts_last_at", "sign_in_alerts", ["last_at"])


def downgrade() -> None:
    op.drop_table("sign_in_alerts")
    op.drop_table("known_sign_in_sources")
