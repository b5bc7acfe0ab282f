"""Reminder policy, session projection, messages and their attempts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
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
        "policy",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("reminders", sa.JSON, nullable=False),
        sa.Column("quiet_hours", sa.JSON, nullable=False),
        sa.Column("aftercare_delay_minutes", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("session_id", sa.Uuid, primary_key=True),
        sa.Column("course_id", sa.Uuid, nullable=False),
        sa.Column("patient_id", sa.Uuid, nullable=False),
        sa.Column("starts_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("sessions_planned", sa.Integer, nullable=False),
        sa.Column("treatment_code", sa.String(100), nullable=False),
        sa.Column("source_occurred_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_sessions_patient_id", "sessions", ["patient_id"])
    op.create_table(
        "messages",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("patient_id", sa.Uuid, nullable=False),
        sa.Column("session_id", sa.Uuid, nullable=True),
        sa.Column("course_id", sa.Uuid, nullable=True),
        sa.Column("subject_id", sa.Uuid, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("offset_minutes", sa.Integer, nullable=False),
        sa.Column("anchor_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("scheduled_for", UTCDateTime, nullable=False),
        sa.Column("due_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=True),
        sa.Column("lease_expires_at", UTCDateTime, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("sent_at", UTCDateTime, nullable=True),
        sa.Column("delivered_at", UTCDateTime, nullable=True),
        sa.Column("provider_id", sa.String(64), nullable=True, unique=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("context", sa.JSON, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint(
            "subject_id", "kind", "offset_minutes", "anchor_at", "channel", name="uq_messages_key"
        ),
    )
    op.create_index("ix_messages_patient_id", "messages", ["patient_id"])
    op.create_index("ix_messages_session_id", "messages", ["session_id"])
    op.create_index("ix_messages_due", "messages", ["status", "due_at"])
    op.create_table(
        "message_attempts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("message_id", sa.Uuid, sa.ForeignKey("messages.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("provider_id", sa.String(64), nullable=True),
    )
    op.create_index("ix_message_attempts_message_id", "message_attempts", ["message_id"])


def downgrade() -> None:
    op.drop_table("message_attempts")
    op.drop_table("messages")
    op.drop_table("sessions")
    op.drop_table("policy")
