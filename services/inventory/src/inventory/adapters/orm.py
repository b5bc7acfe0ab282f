"""Inventory's tables: the catalogue and lots, then booked sessions with their reservations,
shortages and consumption."""

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
    # Days of demand a purchase order covers past the supplier's lead time.
    sa.Column("cover_days", sa.Integer, nullable=False, server_default="7"),
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

# What inventory knows of each session from scheduling's events; `as_of` is the occurred_at of
# the newest event applied, so an older event arriving late changes nothing.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("session_id", sa.Uuid, primary_key=True),
    sa.Column("course_id", sa.Uuid, nullable=False),
    sa.Column("patient_id", sa.Uuid, nullable=False),
    sa.Column("treatment_code", sa.String(50), nullable=False),
    sa.Column("sequence", sa.Integer, nullable=False),
    sa.Column("sessions_planned", sa.Integer, nullable=False),
    sa.Column("starts_at", UTCDateTime, nullable=False),
    sa.Column("session_on", sa.Date, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("as_of", UTCDateTime, nullable=False),
    # The number has its own clock: renumberings must not make a late, older move look stale.
    sa.Column("sequence_as_of", UTCDateTime, nullable=True),
    sa.Index("ix_sessions_status_day", "status", "session_on"),
    sa.Index("ix_sessions_course", "course_id"),
)

reservations = sa.Table(
    "reservations",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("session_id", sa.Uuid, sa.ForeignKey("sessions.session_id"), nullable=False),
    sa.Column("product_code", sa.String(50), nullable=False),
    sa.Column("lot_id", sa.Uuid, sa.ForeignKey("lots.id"), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # reserved, released, consumed
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.CheckConstraint("quantity > 0", name="ck_reservations_quantity_positive"),
    sa.Index("ix_reservations_session", "session_id"),
    sa.Index("ix_reservations_lot_status", "lot_id", "status"),
)

# Vials a booked session still lacks, per product; the row goes when the need is met.
shortages = sa.Table(
    "shortages",
    metadata,
    sa.Column("session_id", sa.Uuid, sa.ForeignKey("sessions.session_id"), primary_key=True),
    sa.Column("product_code", sa.String(50), primary_key=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.CheckConstraint("quantity > 0", name="ck_shortages_quantity_positive"),
    sa.Index("ix_shortages_product", "product_code"),
)

# Which lot went into which patient. `lot_id` is empty when the practitioner recorded a lot
# number inventory never received; the number is kept so a recall still finds the patient.
consumptions = sa.Table(
    "consumptions",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("session_id", sa.Uuid, sa.ForeignKey("sessions.session_id"), nullable=False),
    sa.Column("patient_id", sa.Uuid, nullable=False),
    sa.Column("product_code", sa.String(50), nullable=False),
    sa.Column("lot_id", sa.Uuid, sa.ForeignKey("lots.id"), nullable=True),
    sa.Column("lot_number", sa.String(64), nullable=False),
    sa.Column("lot_key", sa.Text, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("consumed_at", UTCDateTime, nullable=False),
    sa.CheckConstraint("quantity > 0", name="ck_consumptions_quantity_positive"),
    sa.Index("ix_consumptions_lot_key", "lot_key"),
    sa.Index("ix_consumptions_patient", "patient_id"),
)

adjustments = sa.Table(
    "adjustments",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("lot_id", sa.Uuid, sa.ForeignKey("lots.id"), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # count_correction, breakage, disposal
    sa.Column("quantity_before", sa.Integer, nullable=False),
    sa.Column("quantity_after", sa.Integer, nullable=False),
    sa.Column("reason", sa.String(500), nullable=False),
    sa.Column("adjusted_by", sa.String(100), nullable=False),
    sa.Column("adjusted_at", UTCDateTime, nullable=False),
)

# One row per thing worth a stock manager's attention. `dedupe_key` names the subject and its
# window (`expiry:<lot>:<date>`), so replicas raising the same alert at once store it once.
alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),  # shortage, expiry, reorder
    sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
    sa.Column("status", sa.String(16), nullable=False),  # open, dismissed, resolved
    sa.Column("product_code", sa.String(50), nullable=False),
    sa.Column("lot_id", sa.Uuid, nullable=True),
    sa.Column("session_id", sa.Uuid, nullable=True),
    sa.Column("message", sa.String(500), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Index("ix_alerts_status_kind", "status", "kind"),
)

# Courses as far as the forecast needs them: which are still active. Every session's course has
# a row (active until a course event says otherwise), so active courses are found by index.
courses = sa.Table(
    "courses",
    metadata,
    sa.Column("course_id", sa.Uuid, primary_key=True),
    sa.Column("treatment_code", sa.String(50), nullable=False),
    sa.Column("sessions_planned", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # active, completed, abandoned
    # The prescription's changes to the treatment's kit (product code: vials per session) and
    # its revision: 0 until a `scheduling.course.prescribed` arrives; only a newer one applies.
    sa.Column("kit_adjustments", sa.JSON, nullable=False, server_default=sa.text("'{}'")),
    sa.Column("prescription_revision", sa.Integer, nullable=False, server_default="0"),
    sa.Index("ix_courses_status", "status"),
)

# Who stock is bought from, and on what terms per product. A product is preferred from one
# supplier at most (the partial unique index); its draft orders go to that supplier.
suppliers = sa.Table(
    "suppliers",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(254), nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

supplier_products = sa.Table(
    "supplier_products",
    metadata,
    sa.Column(
        "supplier_id", sa.Uuid, sa.ForeignKey("suppliers.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("product_code", sa.String(50), sa.ForeignKey("products.code"), primary_key=True),
    sa.Column("lead_time_days", sa.Integer, nullable=False),
    sa.Column("pack_size", sa.Integer, nullable=False),
    sa.Column("minimum_order", sa.Integer, nullable=False),
    sa.Column("unit_price", sa.Numeric(12, 2), nullable=True),
    sa.Column("preferred", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.CheckConstraint(
        "lead_time_days >= 0 AND pack_size > 0 AND minimum_order > 0",
        name="ck_supplier_products_terms",
    ),
    sa.Index(
        "uq_supplier_products_one_preferred",
        "product_code",
        unique=True,
        postgresql_where=sa.text("preferred"),
    ),
)

# One open draft per supplier (the partial unique index), so proposals made at once add their
# lines to one draft. `received` may pass `quantity` only with a reason on the receipt.
purchase_orders = sa.Table(
    "purchase_orders",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("supplier_id", sa.Uuid, sa.ForeignKey("suppliers.id"), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("expected_on", sa.Date, nullable=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("sent_at", UTCDateTime, nullable=True),
    sa.Index("ix_purchase_orders_status", "status"),
    sa.Index(
        "uq_purchase_orders_one_draft",
        "supplier_id",
        unique=True,
        postgresql_where=sa.text("status = 'draft'"),
    ),
)

purchase_order_lines = sa.Table(
    "purchase_order_lines",
    metadata,
    sa.Column(
        "order_id",
        sa.Uuid,
        sa.ForeignKey("purchase_orders.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("product_code", sa.String(50), sa.ForeignKey("products.code"), primary_key=True),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("received", sa.Integer, nullable=False, server_default="0"),
    sa.Column("reason", sa.String(300), nullable=False, server_default=""),
    sa.CheckConstraint("quantity > 0 AND received >= 0", name="ck_purchase_order_lines_counts"),
)

# Each delivery received against an order: which lot it went to, and why it passed what was due.
purchase_order_receipts = sa.Table(
    "purchase_order_receipts",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("order_id", sa.Uuid, sa.ForeignKey("purchase_orders.id"), nullable=False),
    sa.Column("product_code", sa.String(50), nullable=False),
    sa.Column("lot_id", sa.Uuid, sa.ForeignKey("lots.id"), nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("over_reason", sa.String(500), nullable=True),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("received_by", sa.String(100), nullable=False),
    sa.CheckConstraint("quantity > 0", name="ck_purchase_order_receipts_quantity_positive"),
    sa.Index("ix_purchase_order_receipts_order", "order_id"),
)
