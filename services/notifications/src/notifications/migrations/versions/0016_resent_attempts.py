"""A message sent again gets the whole retry budget again: the attempts it had when it was
queued again are kept, so the policy counts the tries since (issue 23's resend).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "messages",
        sa.Column("attempts_before_resend", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("messages", "attempts_before_resend")
