"""The waitlist: courses waiting for a slot in their window, and the freed slots offered to them.
The first offer of a slot accepted books it: one accepted offer per slot, held by the database.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from clinic_shared.db import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("course_id", sa.Uuid, sa.ForeignKey("courses.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("joined_at", UTCDateTime, nullable=False),
        sa.Column("joined_by", sa.String(200), nullable=False),
        sa.Column("left_at", UTCDateTime, nullable=True),
    )
    op.create_index(
        "uq_waitlist_entries_one_waiting",
        "waitlist_entries",
        ["course_id"],
        unique=True,
        postgresql_where=sa.text("status = 'waiting'"),
    )
    op.create_table(
        "waitlist_offers",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("entry_id", sa.Uuid, sa.ForeignKey("waitlist_entries.id"), nullable=False),
        sa.Column("course_id", sa.Uuid, sa.ForeignKey("courses.id"), nullable=False),
        sa.Column("slot_id", sa.Uuid, nullable=False),
        sa.Column("practitioner_id", sa.Uuid, nullable=False),
        sa.Column("room_id", sa.Uuid, nullable=False),
        sa.Column("starts_at", UTCDateTime, nullable=False),
        sa.Column("ends_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("offered_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("accepted_at", UTCDateTime, nullable=True),
        sa.Column("session_id", sa.Uuid, nullable=True),
    )
    op.create_index("ix_waitlist_offers_slot", "waitlist_offers", ["slot_id"])
    op.create_index("ix_waitlist_offers_course", "waitlist_offers", ["course_id", "offered_at"])
    op.create_index(
        "uq_waitlist_offers_one_taker",
        "waitlist_offers",
        ["slot_id"],
        unique=True,
        postgresql_where=sa.text("status = 'accepted'"),
    )


def downgrade() -> None:
    op.drop_index("uq_waitlist_offers_one_taker", table_name="waitlist_offers")
    op.drop_index("ix_waitlist_offers_course", table_name="waitlist_offers")
    op.drop_index("ix_waitlist_offers_slot", table_name="waitlist_offers")
    op.drop_table("waitlist_offers")
    op.drop_index("uq_waitlist_entries_one_waiting", table_name="waitlist_entries")
    op.drop_table("waitlist_entries")
