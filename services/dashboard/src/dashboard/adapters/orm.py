"""The dashboard's own tables: staff accounts, their signed-in sessions, sign-in attempts."""

from __future__ import annotations

import sqlalchemy as sa

from clinic_shared.db import UTCDateTime
from clinic_shared.ratelimit import rate_limit_table

metadata = sa.MetaData()

staff_accounts = sa.Table(
    "staff_accounts",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("password_hash", sa.String(500), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

staff_sessions = sa.Table(
    "staff_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column(
        "account_id",
        sa.Uuid,
        sa.ForeignKey("staff_accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
)

# Sign-in attempts, counted here so that every replica of the dashboard shares one limit.
rate_limit_hits = rate_limit_table(metadata)
