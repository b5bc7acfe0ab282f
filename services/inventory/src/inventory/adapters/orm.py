"""Inventory's tables."""

from __future__ import annotations

import sqlalchemy as sa

from clinic_shared.db import UTCDateTime
from clinic_shared.outbox import inbox_table, outbox_table

metadata = sa.MetaData()

# Patients by id only: inventory traces lots to patients without holding who they are.
patient_refs = sa.Table(
    "patient_refs",
    metadata,
    sa.Column("patient_id", sa.Uuid, primary_key=True),
    sa.Column("first_seen_at", UTCDateTime, nullable=False),
    sa.Column("source_event_id", sa.String(36), nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
