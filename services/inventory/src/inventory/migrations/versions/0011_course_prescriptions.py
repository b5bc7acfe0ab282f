"""A course's prescribed kit adjustments (scheduling's `scheduling.course.prescribed`), which
every booked session of the course reserves by; the revision keeps the newest.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "courses",
        sa.Column("kit_adjustments", sa.JSON, nullable=False, server_default=sa.text("'{}'")),
    )
    op.add_column(
        "courses",
        sa.Column("prescription_revision", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("courses", "prescription_revision")
    op.drop_column("courses", "kit_adjustments")
