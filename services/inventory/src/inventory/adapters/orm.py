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

products = sa.Table(
    "products",
    metadata,
    sa.Column("code", sa.String(50), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("unit", sa.String(20), nullable=False),
    sa.Column("volume_ml", sa.Float, nullable=False),
    sa.Column("lead_time_days", sa.Integer, nullable=False),
    sa.Column("safety_stock", sa.Integer, nullable=False),
    sa.Column("review_period_days", sa.Integer, nullable=False),
    sa.Column("reorder_quantity", sa.Integer, nullable=True),
)

kit_items = sa.Table(
    "kit_items",
    metadata,
    sa.Column("treatment_code", sa.String(50), primary_key=True),
    sa.Column("product_code", sa.String(50), sa.ForeignKey("products.code"), primary_key=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.CheckConstraint("quantity > 0", name="ck_kit_items_quantity_positive"),
)

# `reserved + consumed <= quantity` is the backstop of never overselling: every write to
# `reserved` is also a conditional UPDATE, so the constraint should never be what stops one.
# `lot_number` is shown as first received; `lot_key` (`domain.lots.lot_key`) is what compares.
lots = sa.Table(
    "lots",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("product_code", sa.String(50), sa.ForeignKey("products.code"), nullable=False),
    sa.Column("lot_number", sa.String(64), nullable=False),
    sa.Column("lot_key", sa.Text, nullable=False),
    sa.Column("expires_on", sa.Date, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("reserved", sa.Integer, nullable=False, server_default="0"),
    sa.Column("consumed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("status", sa.String(16), nullable=False, server_default="available"),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("product_code", "lot_key", name="uq_lots_product_lot_key"),
    sa.CheckConstraint(
        "reserved >= 0 AND consumed >= 0 AND reserved + consumed <= quantity",
        name="ck_lots_never_oversold",
    ),
    sa.Index("ix_lots_product_expiry", "product_code", "expires_on"),
)

receipts = sa.Table(
    "receipts",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("lot_id", sa.Uuid, sa.ForeignKey("lots.id"), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("received_by", sa.String(100), nullable=False),
    sa.CheckConstraint("quantity > 0", name="ck_receipts_quantity_positive"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
