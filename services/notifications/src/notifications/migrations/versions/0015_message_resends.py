"""Staff send a failed message again (issue 23): when it was last queued again, and by whom.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from clinic_shared.db import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("resent_at", UTCDateTime, nullable=True))
    op.add_column("messages", sa.Column("resent_by", sa.String(100), nullable=True))


def downgrade() -> None:
    op.drop_column("messages", "resent_by")
    op.drop_column("messages", "resent_at")
