"""A patient is never in two sessions at once: sessions carry their course's patient, and an
exclusion constraint refuses a second active session of one patient over the same time.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ACTIVE = "status IN ('booked', 'confirmed', 'completed')"
# Active sessions of one patient that overlap, as pairs of session ids: the constraint would fail
# on them naming only a patient and two time ranges.
CLASHES = """
SELECT a.id AS first_id, b.id AS second_id
FROM sessions a
JOIN sessions b ON b.patient_id = a.patient_id AND a.id < b.id
  AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
WHERE a.status IN ('booked', 'confirmed', 'completed')
  AND b.status IN ('booked', 'confirmed', 'completed')
ORDER BY a.starts_at, a.id, b.id
LIMIT 20
"""


def upgrade() -> None:
    op.add_column("sessions", sa.Column("patient_id", sa.Uuid, nullable=True))
    op.execute(
        "UPDATE sessions SET patient_id = courses.patient_id "
        "FROM courses WHERE courses.id = sessions.course_id"
    )
    _refuse_existing_clashes()
    op.alter_column("sessions", "patient_id", nullable=False)
    # The session's patient is its course's: the database keeps the two equal.
    op.create_unique_constraint("uq_courses_id_patient", "courses", ["id", "patient_id"])
    op.create_foreign_key(
        "fk_sessions_course_patient",
        "sessions",
        "courses",
        ["course_id", "patient_id"],
        ["id", "patient_id"],
    )
    op.create_index("ix_sessions_patient_start", "sessions", ["patient_id", "starts_at"])
    op.execute(
        "ALTER TABLE sessions ADD CONSTRAINT sessions_patient_id_no_overlap "
        "EXCLUDE USING gist (patient_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)"
        f" WHERE ({ACTIVE})"
    )


def _refuse_existing_clashes() -> None:
    """Stop, naming the sessions, rather than cancel one of a patient's clashing sessions."""
    pairs = op.get_bind().execute(sa.text(CLASHES)).all()
    if pairs:
        listed = ", ".join(f"{p.first_id} and {p.second_id}" for p in pairs)
        raise RuntimeError(
            "Revision 0006 cannot forbid a patient's overlapping sessions while some overlap: "
            f"cancel or move one session of each pair first ({listed}"
            f"{', ...' if len(pairs) == 20 else ''})."
        )


def downgrade() -> None:
    op.execute("ALTER TABLE sessions DROP CONSTRAINT sessions_patient_id_no_overlap")
    op.drop_index("ix_sessions_patient_start", "sessions")
    op.drop_constraint("fk_sessions_course_patient", "sessions", type_="foreignkey")
    op.drop_constraint("uq_courses_id_patient", "courses", type_="unique")
    op.drop_column("sessions", "patient_id")
