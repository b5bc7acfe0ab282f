"""The action that last booked or moved each session: its confirmation lists the action's.

Messages are found by course too: a session cancelled or moved re-plans the course's
confirmations not sent yet.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sessions", sa.Column("action_id", sa.Uuid, nullable=True))
    op.create_index("ix_sessions_action_id", "sessions", ["action_id"])
    op.create_index("ix_messages_course_id", "messages", ["course_id"])


def downgrade() -> None:
    op.drop_index("ix_messages_course_id", table_name="messages")
    op.drop_index("ix_sessions_action_id", table_name="sessions")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("action_id")
