"""Practitioners' calendar feeds, and each session's calendar revision.

`practitioner_feeds` holds one secret feed URL per practitioner: the secret sealed with the data
keys (so an admin can be told the URL again) and its blind index (`CLINIC_INDEX_KEY`'s HMAC,
what a feed request is looked up by). `sessions.revision` is the session's iCalendar SEQUENCE: it grows on every move and on a
cancel.

Revision ID: 0015
Revises: 0013 (the lead rechains it after 0014)
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from clinic_shared.db import UTCDateTime

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "practitioner_feeds",
        sa.Column("practitioner_id", sa.Uuid, sa.ForeignKey("practitioners.id"), primary_key=True),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("secret_index", sa.String(64), nullable=False, unique=True),
        sa.Column("rotated_at", UTCDateTime, nullable=False),
    )
    op.add_column("sessions", sa.Column("revision", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("revision")
    op.drop_table("practitioner_feeds")
