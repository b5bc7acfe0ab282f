"""The practitioner of each session, so a practitioner reads only the messages of the patients
they treat (issue 28).

Nullable: sessions stored before it have none until their next event (every session event
carries it) fills it in. A practitioner is shown no message of a patient known only through
such sessions: the safe side.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sessions", sa.Column("practitioner_id", sa.Uuid, nullable=True))
    op.create_index(
        "ix_sessions_practitioner_patient", "sessions", ["practitioner_id", "patient_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_sessions_practitioner_patient", table_name="sessions")
    op.drop_column("sessions", "practitioner_id")
