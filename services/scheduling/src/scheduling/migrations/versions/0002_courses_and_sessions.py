"""Treatments, practitioners, rooms, courses and sessions; no overlapping sessions on PostgreSQL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from clinic_shared.db import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ACTIVE = "status IN ('booked', 'confirmed', 'completed')"


def upgrade() -> None:
    op.create_table(
        "treatments",
        sa.Column("code", sa.String(50), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("area", sa.String(30), nullable=False),
        sa.Column("session_minutes", sa.Integer, nullable=False),
        sa.Column("default_sessions", sa.Integer, nullable=False),
        sa.Column("min_interval_days", sa.Integer, nullable=False),
        sa.Column("max_interval_days", sa.Integer, nullable=False),
        sa.Column("maintenance_interval_days", sa.Integer, nullable=True),
        sa.CheckConstraint("session_minutes BETWEEN 5 AND 240", name="ck_treatment_minutes"),
        sa.CheckConstraint(
            "min_interval_days >= 1 AND max_interval_days >= min_interval_days",
            name="ck_treatment_interval",
        ),
    )
    op.create_table(
        "practitioners",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "working_hours",
        sa.Column("practitioner_id", sa.Uuid, sa.ForeignKey("practitioners.id"), primary_key=True),
        sa.Column("weekday", sa.Integer, primary_key=True),
        sa.Column("start", sa.Time, primary_key=True),
        sa.Column("end", sa.Time, nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_hours_weekday"),
        sa.CheckConstraint('"start" < "end"', name="ck_hours_order"),
    )
    op.create_table(
        "time_off",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("practitioner_id", sa.Uuid, sa.ForeignKey("practitioners.id"), nullable=False),
        sa.Column("starts_at", UTCDateTime, nullable=False),
        sa.Column("ends_at", UTCDateTime, nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.CheckConstraint("starts_at < ends_at", name="ck_time_off_order"),
    )
    op.create_index("ix_time_off_practitioner", "time_off", ["practitioner_id", "starts_at"])
    op.create_table(
        "rooms",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "courses",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("patient_id", sa.Uuid, sa.ForeignKey("patients.id"), nullable=False),
        sa.Column(
            "treatment_code", sa.String(50), sa.ForeignKey("treatments.code"), nullable=False
        ),
        sa.Column("practitioner_id", sa.Uuid, sa.ForeignKey("practitioners.id"), nullable=False),
        sa.Column("sessions_planned", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("sessions_planned BETWEEN 1 AND 20", name="ck_course_planned"),
    )
    op.create_index("ix_courses_patient", "courses", ["patient_id"])
    op.create_index("ix_courses_status", "courses", ["status"])
    op.create_table(
        "sessions",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("course_id", sa.Uuid, sa.ForeignKey("courses.id"), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("practitioner_id", sa.Uuid, sa.ForeignKey("practitioners.id"), nullable=False),
        sa.Column("room_id", sa.Uuid, sa.ForeignKey("rooms.id"), nullable=False),
        sa.Column("starts_at", UTCDateTime, nullable=False),
        sa.Column("ends_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stock_at_risk", sa.Boolean, nullable=False),
        sa.Column("stock_checked_at", UTCDateTime, nullable=True),
        sa.Column("confirmed_at", UTCDateTime, nullable=True),
        sa.Column("cancel_reason", sa.String(500), nullable=True),
        sa.Column("products_used", sa.JSON, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("starts_at < ends_at", name="ck_session_order"),
    )
    op.create_index("ix_sessions_practitioner_start", "sessions", ["practitioner_id", "starts_at"])
    op.create_index("ix_sessions_room_start", "sessions", ["room_id", "starts_at"])
    op.create_index("ix_sessions_course", "sessions", ["course_id", "starts_at"])
    op.create_index("ix_sessions_start", "sessions", ["starts_at"])
    op.create_table(
        "rebooking_nudges",
        sa.Column("course_id", sa.Uuid, sa.ForeignKey("courses.id"), primary_key=True),
        sa.Column("window_closes_on", sa.Date, primary_key=True),
        sa.Column("emitted_at", UTCDateTime, nullable=False),
    )
    # Two concurrent bookings cannot both win: the database refuses the second overlap.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for column in ("practitioner_id", "room_id"):
        op.execute(
            f"ALTER TABLE sessions ADD CONSTRAINT sessions_{column}_no_overlap "
            f"EXCLUDE USING gist ({column} WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)"
            f" WHERE ({ACTIVE})"
        )


def downgrade() -> None:
    for table in (
        "rebooking_nudges",
        "sessions",
        "courses",
        "rooms",
        "time_off",
        "working_hours",
        "practitioners",
        "treatments",
    ):
        op.drop_table(table)
