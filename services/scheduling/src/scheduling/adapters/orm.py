"""Scheduling's tables."""

from __future__ import annotations

import sqlalchemy as sa

from clinic_shared.crypto import Sealed
from clinic_shared.db import UTCDateTime
from clinic_shared.outbox import inbox_table, outbox_table

metadata = sa.MetaData()

patients = sa.Table(
    "patients",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("first_name", sa.String(100), nullable=False),
    sa.Column("last_name", sa.String(100), nullable=False),
    sa.Column("phone", Sealed, nullable=True, info={"blind_index": "phone_index"}),
    sa.Column("email", Sealed, nullable=True, info={"blind_index": "email_index"}),
    sa.Column("phone_index", sa.String(64), nullable=True, index=True),
    sa.Column("email_index", sa.String(64), nullable=True, index=True),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("preferred_channel", sa.String(8), nullable=False),
    # consent: given at registration, then a copy of notifications' ledger (which owns it)
    sa.Column("consent_sms", sa.Boolean, nullable=False),
    sa.Column("consent_email", sa.Boolean, nullable=False),
    sa.Column("consent_revision", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("erased_at", UTCDateTime, nullable=True),
    sa.Column("duplicate_of", sa.Uuid, nullable=True),
)

treatments = sa.Table(
    "treatments",
    metadata,
    sa.Column("code", sa.String(50), primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("area", sa.String(30), nullable=False),
    sa.Column("session_minutes", sa.Integer, nullable=False),
    sa.Column("default_sessions", sa.Integer, nullable=False),
    sa.Column("min_interval_days", sa.Integer, nullable=False),
    sa.Column("max_interval_days", sa.Integer, nullable=False),
    sa.Column("maintenance_interval_days", sa.Integer, nullable=True),
)

practitioners = sa.Table(
    "practitioners",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("email", sa.String(254), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

working_hours = sa.Table(
    "working_hours",
    metadata,
    sa.Column("practitioner_id", sa.Uuid, sa.ForeignKey("practitioners.id"), primary_key=True),
    sa.Column("weekday", sa.Integer, primary_key=True),
    sa.Column("start", sa.Time, primary_key=True),
    sa.Column("end", sa.Time, nullable=False),
)

time_off = sa.Table(
    "time_off",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("practitioner_id", sa.Uuid, sa.ForeignKey("practitioners.id"), nullable=False),
    sa.Column("starts_at", UTCDateTime, nullable=False),
    sa.Column("ends_at", UTCDateTime, nullable=False),
    sa.Column("reason", sa.String(200), nullable=False),
    sa.Index("ix_time_off_practitioner", "practitioner_id", "starts_at"),
)

# The clinic's own closures (a summer week): nobody is booked inside one.
closures = sa.Table(
    "closures",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("starts_at", UTCDateTime, nullable=False),
    sa.Column("ends_at", UTCDateTime, nullable=False),
    sa.Column("reason", sa.String(200), nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_closures_start", "starts_at"),
)

# The public holidays the clinic chose to open on (it is closed on the others).
holiday_openings = sa.Table(
    "holiday_openings",
    metadata,
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("opened_by", sa.String(200), nullable=False),
    sa.Column("opened_at", UTCDateTime, nullable=False),
)

rooms = sa.Table(
    "rooms",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

courses = sa.Table(
    "courses",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("patient_id", sa.Uuid, sa.ForeignKey("patients.id"), nullable=False),
    sa.Column("treatment_code", sa.String(50), sa.ForeignKey("treatments.code"), nullable=False),
    sa.Column("practitioner_id", sa.Uuid, sa.ForeignKey("practitioners.id"), nullable=False),
    sa.Column("sessions_planned", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_courses_patient", "patient_id"),
    sa.Index("ix_courses_status", "status"),
    sa.UniqueConstraint("id", "patient_id", name="uq_courses_id_patient"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("course_id", sa.Uuid, sa.ForeignKey("courses.id"), nullable=False),
    sa.Column("patient_id", sa.Uuid, nullable=False),  # the course's: no overlap per patient
    sa.Column("sequence", sa.Integer, nullable=False),
    sa.Column("practitioner_id", sa.Uuid, sa.ForeignKey("practitioners.id"), nullable=False),
    sa.Column("room_id", sa.Uuid, sa.ForeignKey("rooms.id"), nullable=False),
    sa.Column("starts_at", UTCDateTime, nullable=False),
    sa.Column("ends_at", UTCDateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("stock_at_risk", sa.Boolean, nullable=False),
    sa.Column("stock_checked_at", UTCDateTime, nullable=True),
    sa.Column("confirmed_at", UTCDateTime, nullable=True),
    sa.Column("rescheduled_at", UTCDateTime, nullable=True),
    sa.Column("cancel_reason", sa.String(500), nullable=True),
    sa.Column("products_used", sa.JSON, nullable=True),
    # why staff must move or cancel it: time off or a closure was recorded over it (force)
    sa.Column("closure_conflict", sa.String(300), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_sessions_practitioner_start", "practitioner_id", "starts_at"),
    sa.Index("ix_sessions_room_start", "room_id", "starts_at"),
    sa.Index("ix_sessions_course", "course_id", "starts_at"),
    sa.Index("ix_sessions_patient_start", "patient_id", "starts_at"),
    sa.Index("ix_sessions_start", "starts_at"),
    sa.ForeignKeyConstraint(
        ["course_id", "patient_id"],
        ["courses.id", "courses.patient_id"],
        name="fk_sessions_course_patient",
    ),
)

rebooking_nudges = sa.Table(
    "rebooking_nudges",
    metadata,
    sa.Column("course_id", sa.Uuid, sa.ForeignKey("courses.id"), primary_key=True),
    sa.Column("window_closes_on", sa.Date, primary_key=True),
    sa.Column("emitted_at", UTCDateTime, nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
