"""Notifications' tables."""

from __future__ import annotations

import sqlalchemy as sa

from clinic_shared.crypto import Sealed
from clinic_shared.db import UTCDateTime
from clinic_shared.outbox import inbox_table, outbox_table

metadata = sa.MetaData()

# How to reach each patient: details projected from scheduling's patient events, consent as the
# ledger has it.
contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column("patient_id", sa.Uuid, primary_key=True),
    sa.Column("first_name", sa.String(100), nullable=False),
    sa.Column("phone", Sealed, nullable=True, info={"blind_index": "phone_index"}),
    sa.Column("email", Sealed, nullable=True, info={"blind_index": "email_index"}),
    sa.Column("phone_index", sa.String(64), nullable=True, index=True),
    sa.Column("email_index", sa.String(64), nullable=True, index=True),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("preferred_channel", sa.String(8), nullable=False),
    sa.Column("consent_sms", sa.Boolean, nullable=False),
    sa.Column("consent_email", sa.Boolean, nullable=False),
    # grows with every change of consent (the ledger's), told to scheduling with the change
    sa.Column("consent_revision", sa.Integer, nullable=False, server_default="0"),
    # when the newest patient event applied here happened (consent has its own ledger)
    sa.Column("source_occurred_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # Set when the patient was erased: the row stays as a tombstone so no late event refills it.
    sa.Column("erased_at", UTCDateTime, nullable=True),
)

# The admin-edited reminder policy: one row (id 1); absent means the defaults.
policy = sa.Table(
    "policy",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("reminders", sa.JSON, nullable=False),
    sa.Column("quiet_hours", sa.JSON, nullable=False),
    sa.Column("aftercare_delay_minutes", sa.Integer, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

# Each session as scheduling last told it; the newest event wins, whatever the arrival order.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("session_id", sa.Uuid, primary_key=True),
    sa.Column("course_id", sa.Uuid, nullable=False),
    sa.Column("patient_id", sa.Uuid, nullable=False, index=True),
    # who treats it (what a practitioner may read of messages goes by it); none on a row stored
    # before it was kept, until the session's next event
    sa.Column("practitioner_id", sa.Uuid, nullable=True),
    sa.Column("starts_at", UTCDateTime, nullable=False),
    # its end and calendar revision (iCalendar SEQUENCE), for invites: null and 0 when told
    # before 0012
    sa.Column("ends_at", UTCDateTime, nullable=True),
    sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("sequence", sa.Integer, nullable=False),
    sa.Column("sessions_planned", sa.Integer, nullable=False),
    sa.Column("treatment_code", sa.String(100), nullable=False),
    sa.Column("source_occurred_at", UTCDateTime, nullable=False),
    # the newest event that set `sequence`: a renumbering, or else `source_occurred_at`
    sa.Column("sequence_occurred_at", UTCDateTime, nullable=True),
    # the action (a booking, a move) that last booked or moved it: one confirmation per action
    sa.Column("action_id", sa.Uuid, nullable=True, index=True),
    sa.Index("ix_sessions_practitioner_patient", "practitioner_id", "patient_id"),
)

messages = sa.Table(
    "messages",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("patient_id", sa.Uuid, nullable=False, index=True),
    sa.Column("session_id", sa.Uuid, nullable=True, index=True),
    sa.Column("course_id", sa.Uuid, nullable=True, index=True),
    # the session; the course of a nudge; the action (a booking, a move) of a confirmation
    sa.Column("subject_id", sa.Uuid, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("channel", sa.String(8), nullable=False),
    sa.Column("offset_minutes", sa.Integer, nullable=False),
    # the session start the message is for; when its action happened, for a confirmation
    sa.Column("anchor_at", UTCDateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("scheduled_for", UTCDateTime, nullable=False),
    sa.Column("due_at", UTCDateTime, nullable=False),  # next try: scheduled_for, then backoff
    sa.Column("expires_at", UTCDateTime, nullable=True),  # never sent from then on
    # when it would have gone had quiet hours not held it (at planning or at send time)
    sa.Column("deferred_from", UTCDateTime, nullable=True),
    sa.Column("lease_expires_at", UTCDateTime, nullable=True),
    # the provider had the whole message: from then on it is never sent again
    sa.Column("handed_over_at", UTCDateTime, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("sent_at", UTCDateTime, nullable=True),
    sa.Column("delivered_at", UTCDateTime, nullable=True),
    sa.Column("provider_id", sa.String(64), nullable=True, unique=True),
    sa.Column("segments", sa.Integer, nullable=True),  # of an SMS sent: what the provider bills
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("context", sa.JSON, nullable=False),
    # a failed message staff queued again: the last time, and who (the token's subject)
    sa.Column("resent_at", UTCDateTime, nullable=True),
    # `attempts` when staff last queued it again: the retry policy counts the tries since.
    sa.Column("attempts_before_resend", sa.Integer, nullable=False, server_default="0"),
    sa.Column("resent_by", sa.String(100), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint(
        "subject_id", "kind", "offset_minutes", "anchor_at", "channel", name="uq_messages_key"
    ),
    sa.Index("ix_messages_due", "status", "due_at"),
)

message_attempts = sa.Table(
    "message_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("message_id", sa.Uuid, sa.ForeignKey("messages.id"), nullable=False, index=True),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),  # sent, transient, permanent
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("provider_id", sa.String(64), nullable=True),
)

# Every change of a patient's consent: when, how (SMS reply, staff), which number.
consent_ledger = sa.Table(
    "consent_ledger",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("patient_id", sa.Uuid, nullable=True, index=True),
    sa.Column("channel", sa.String(8), nullable=False),
    sa.Column("address", Sealed, nullable=False, info={"blind_index": "address_index"}),
    sa.Column("address_index", sa.String(64), nullable=False, index=True),
    sa.Column("action", sa.String(8), nullable=False),  # opt_out, opt_in
    sa.Column("source", sa.String(16), nullable=False),  # sms_reply, staff (the desk too)
    sa.Column("reference", sa.String(100), nullable=True),  # the SMS id, or who
    sa.Column("recorded_at", UTCDateTime, nullable=False),
)

# What staff must hear about; at most one per kind and subject (product, session) per day.
staff_alerts = sa.Table(
    "staff_alerts",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("subject", sa.String(100), nullable=False),
    sa.Column("day", sa.Date, nullable=False),
    sa.Column("details", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending, sent, failed, no_recipients
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime, nullable=True),
    # a staff member dealt with it (the token's subject): no longer listed as open
    sa.Column("dismissed_at", UTCDateTime, nullable=True),
    sa.Column("dismissed_by", sa.String(100), nullable=True),
    sa.UniqueConstraint("kind", "subject", "day", name="uq_staff_alerts_per_day"),
    sa.Index("ix_staff_alerts_status", "status", "created_at"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

# Purchase orders inventory sent, to email to their supplier: one row per order (its id is the
# key, so a redelivered event emails once), sent by the supplier-order loop.
supplier_orders = sa.Table(
    "supplier_orders",
    metadata,
    sa.Column("order_id", sa.Uuid, primary_key=True),
    sa.Column("supplier_email", sa.String(254), nullable=False),
    sa.Column("details", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending, sent, failed, withdrawn
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime, nullable=True),
    sa.Index("ix_supplier_orders_status", "status", "created_at"),
)
