"""What a session's calendar invite needs: its end, and its revision (iCalendar SEQUENCE), as
scheduling's session events carry them. Null and 0 for sessions told before: their invites wait
for their next event.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from clinic_shared.db import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sessions", sa.Column("ends_at", UTCDateTime, nullable=True))
    op.add_column("sessions", sa.Column("revision", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("revision")
        batch.drop_column("ends_at")
