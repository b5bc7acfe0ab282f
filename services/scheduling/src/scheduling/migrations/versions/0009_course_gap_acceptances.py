"""Staff's acceptance of a course off its interval (a gap a cancelled or missed session left),
with who accepted it and when.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from clinic_shared.db import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "course_gap_acceptances",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("course_id", sa.Uuid, sa.ForeignKey("courses.id"), nullable=False),
        sa.Column("from_at", UTCDateTime, nullable=False),
        sa.Column("to_at", UTCDateTime, nullable=False),
        sa.Column("accepted_by", sa.String(200), nullable=False),
        sa.Column("accepted_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_course_gap_acceptances_course", "course_gap_acceptances", ["course_id"])


def downgrade() -> None:
    op.drop_index("ix_course_gap_acceptances_course", "course_gap_acceptances")
    op.drop_table("course_gap_acceptances")
