"""Every session's course is in `courses`, and both are indexed for the forecast.

The forecast used to scan every session ever recorded to find the active courses' progress;
with a course row for every session (active until its course event says otherwise) and these
indexes it reads only the active courses and their sessions.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        sa.text(
            "INSERT INTO courses (course_id, treatment_code, sessions_planned, status) "
            "SELECT course_id, MAX(treatment_code), MAX(sessions_planned), 'active' "
            "FROM sessions WHERE course_id NOT IN (SELECT course_id FROM courses) "
            "GROUP BY course_id"
        )
    )
    op.create_index("ix_sessions_course", "sessions", ["course_id"])
    op.create_index("ix_courses_status", "courses", ["status"])


def downgrade() -> None:
    op.drop_index("ix_courses_status", "courses")
    op.drop_index("ix_sessions_course", "sessions")
