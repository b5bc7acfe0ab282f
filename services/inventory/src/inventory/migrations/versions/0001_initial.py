"""Patient references, outbox and inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from clinic_shared.db import UTCDateTime
from clinic_shared.outbox.tables import create_messaging_tables_v1, drop_messaging_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patient_refs",
        sa.Column("patient_id", sa.Uuid, primary_key=True),
        sa.Column("first_seen_at", UTCDateTime, nullable=False),
        sa.Column("source_event_id", sa.String(36), nullable=False),
    )
    create_messaging_tables_v1(op)


def downgrade() -> None:
    drop_messaging_tables_v1(op)
    op.drop_table("patient_refs")
