"""Courses, so the forecast counts only active courses' unbooked sessions.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "courses",
        sa.Column("course_id", sa.Uuid, primary_key=True),
        sa.Column("treatment_code", sa.String(50), nullable=False),
        sa.Column("sessions_planned", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("courses")
