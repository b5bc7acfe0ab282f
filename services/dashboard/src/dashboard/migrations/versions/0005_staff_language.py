"""The language a staff account chose for its pages (NULL: its browser's).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("staff_accounts", sa.Column("language", sa.String(8)))


def downgrade() -> None:
    op.drop_column("staff_accounts", "language")
