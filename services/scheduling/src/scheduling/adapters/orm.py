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
    # domain.patients.name_key of the name: null only where the release before 0009 wrote the row
    sa.Column("name_key", sa.String(400), nullable=True),
    sa.Index(
        "ix_patients_name_search",
        sa.text("(coalesce(name_key, lower(first_name || ' ' || last_name))) gin_trgm_ops"),
        postgresql_using="gin",
    ),
)

PATIENT_NAME_SEARCH = sa.func.coalesce(
    patients.c.name_key, sa.func.lower(patients.c.first_name + " " + patients.c.last_name)
)
"""What a name search compares, as `ix_patients_name_search` indexes it."""

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
    # substances its standard kit holds, and the patient's conditions that rule it out
    sa.Column("contains", sa.JSON, nullable=False, server_default=sa.text("'[]'")),
    sa.Column("contraindications", sa.JSON, nullable=False, server_default=sa.text("'[]'")),
)

practitioners = sa.Table(
    "practitioners",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("email", sa.String(254), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# Each practitioner's secret calendar feed: the secret sealed (to tell an admin the URL again)
# and its blind index, what a feed request is looked up by. Rotating replaces both.
practitioner_feeds = sa.Table(
    "practitioner_feeds",
    metadata,
    sa.Column("practitioner_id", sa.Uuid, sa.ForeignKey("practitioners.id"), primary_key=True),
    sa.Column("secret", Sealed, nullable=False, info={"blind_index": "secret_index"}),
    sa.Column("secret_index", sa.String(64), nullable=False, unique=True),
    sa.Column("rotated_at", UTCDateTime, nullable=False),
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
    # the prescription as it stands (its history in `prescriptions`); no interval: the treatment's
    sa.Column("min_interval_days", sa.Integer, nullable=True),
    sa.Column("max_interval_days", sa.Integer, nullable=True),
    sa.Column("kit_adjustments", sa.JSON, nullable=False, server_default=sa.text("'{}'")),
    sa.Column("prescription_revision", sa.Integer, nullable=False, server_default="1"),
    sa.Column("prescribed_by", sa.String(100), nullable=True),
    sa.Column("prescribed_at", UTCDateTime, nullable=True),
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
    # its iCalendar SEQUENCE: grows on every move and on a cancel (feeds and invites)
    sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
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

# Staff's acceptance of a course off its interval over [from_at, to_at] (a gap left by a
# cancelled or missed session), with who accepted it (the token's subject) and when.
course_gap_acceptances = sa.Table(
    "course_gap_acceptances",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("course_id", sa.Uuid, sa.ForeignKey("courses.id"), nullable=False),
    sa.Column("from_at", UTCDateTime, nullable=False),
    sa.Column("to_at", UTCDateTime, nullable=False),
    sa.Column("accepted_by", sa.String(200), nullable=False),
    sa.Column("accepted_at", UTCDateTime, nullable=False),
    sa.Index("ix_course_gap_acceptances_course", "course_id"),
)

# Every revision of a course's prescription, with who made it.
prescriptions = sa.Table(
    "prescriptions",
    metadata,
    sa.Column("course_id", sa.Uuid, sa.ForeignKey("courses.id"), primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("sessions_planned", sa.Integer, nullable=False),
    sa.Column("min_interval_days", sa.Integer, nullable=False),
    sa.Column("max_interval_days", sa.Integer, nullable=False),
    sa.Column("kit_adjustments", sa.JSON, nullable=False),
    sa.Column("prescribed_by", sa.String(100), nullable=False),
    sa.Column("prescribed_at", UTCDateTime, nullable=False),
)

# A practitioner's decision that one rule does not hold for one course, and why.
course_overrides = sa.Table(
    "course_overrides",
    metadata,
    sa.Column("course_id", sa.Uuid, sa.ForeignKey("courses.id"), primary_key=True),
    sa.Column("rule", sa.String(30), primary_key=True),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("overridden_by", sa.String(100), nullable=False),
    sa.Column("overridden_at", UTCDateTime, nullable=False),
)

# A patient's allergies (substances) and contraindications (conditions, as pregnancy).
patient_conditions = sa.Table(
    "patient_conditions",
    metadata,
    sa.Column("patient_id", sa.Uuid, sa.ForeignKey("patients.id"), primary_key=True),
    sa.Column("allergies", sa.JSON, nullable=False),
    sa.Column("contraindications", sa.JSON, nullable=False),
    sa.Column("recorded_by", sa.String(100), nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
)

rebooking_nudges = sa.Table(
    "rebooking_nudges",
    metadata,
    sa.Column("course_id", sa.Uuid, sa.ForeignKey("courses.id"), primary_key=True),
    sa.Column("window_closes_on", sa.Date, primary_key=True),
    sa.Column("emitted_at", UTCDateTime, nullable=False),
)

audit_entries = sa.Table(
    "audit_entries",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),  # the order they were made
    sa.Column("kind", sa.String(16), nullable=False),  # patient, course or session
    sa.Column("record_id", sa.Uuid, nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("by", sa.String(200), nullable=False),  # the token's subject
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("fields", sa.JSON, nullable=False),  # the names of the fields changed, no values
    sa.Index("ix_audit_entries_record", "kind", "record_id", "id"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
