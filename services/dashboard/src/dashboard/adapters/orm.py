"""The dashboard's own tables: staff accounts, their sessions, sign-in attempts and alerts."""

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
    sa.Column("language", sa.String(8)),
    # a practitioner's account: the scheduling practitioner it is (their tokens name it)
    sa.Column("practitioner_id", sa.Uuid, nullable=True),
    sa.UniqueConstraint("practitioner_id", name="uq_staff_accounts_practitioner_id"),
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

# Where each account signed in from successfully: a device's cookie or a network address, both
# hashed. A right password from one of them is not slowed by the delays others cause.
known_sign_in_sources = sa.Table(
    "known_sign_in_sources",
    metadata,
    sa.Column(
        "account_id",
        sa.Uuid,
        sa.ForeignKey("staff_accounts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("kind", sa.String(16), primary_key=True),  # "device" or "address"
    sa.Column("key_hash", sa.String(64), primary_key=True),
    sa.Column("last_signed_in_at", UTCDateTime, nullable=False),
)

# Wrong passwords that made an account's sign-ins wait: its owner is told at their next sign-in,
# its admins on the staff page. At most one alert per account is not yet told to its owner.
sign_in_alerts = sa.Table(
    "sign_in_alerts",
    metadata,
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
    sa.Index(
        "ux_sign_in_alerts_untold",
        "account_id",
        unique=True,
        postgresql_where=sa.text("owner_told_at IS NULL"),
    ),
    sa.Index("ix_sign_in_alerts_last_at", "last_at"),
)
