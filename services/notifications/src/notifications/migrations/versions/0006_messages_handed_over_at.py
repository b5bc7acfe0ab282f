"""When the provider had the whole message (SMTP's closing dot, an API request's last byte).

A message still `sending` with this set went to the SMTP server or carrier: if its replica
dies before recording the answer, it is settled as sent, not sent again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from clinic_shared.db import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("handed_over_at", UTCDateTime, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("handed_over_at")
