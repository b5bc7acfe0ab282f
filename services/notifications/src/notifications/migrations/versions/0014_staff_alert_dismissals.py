"""Staff dismiss alerts they have dealt with (issue 23): when, and who, per alert; the
dashboard lists the alerts no one has dismissed.

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
    op.add_column("staff_alerts", sa.Column("dismissed_at", UTCDateTime, nullable=True))
    op.add_column("staff_alerts", sa.Column("dismissed_by", sa.String(100), nullable=True))


def downgrade() -> None:
    op.drop_column("staff_alerts", "dismissed_by")
    op.drop_column("staff_alerts", "dismissed_at")
