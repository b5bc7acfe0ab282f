"""When quiet hours held a message, the time it would have gone (what /metrics counts as
deferred for quiet hours).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from clinic_shared.db import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("deferred_from", UTCDateTime, nullable=True))


def downgrade() -> None:
    op.drop_column("messages", "deferred_from")
