"""Sessions as inventory knows them, reservations, shortages and consumptions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from clinic_shared.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
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
    )
    op.create_index("ix_sessions_status_day", "sessions", ["status", "session_on"])
    op.create_table(
        "reservations",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("session_id", sa.Uuid, sa.ForeignKey("sessions.session_id"), nullable=False),
        sa.Column("product_code", sa.String(50), nullable=False),
        sa.Column("lot_id", sa.Uuid, sa.ForeignKey("lots.id"), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),  # reserved, released, consumed
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_reservations_quantity_positive"),
    )
    op.create_index("ix_reservations_session", "reservations", ["session_id"])
    op.create_index("ix_reservations_lot_status", "reservations", ["lot_id", "status"])
    op.create_table(
        "shortages",
        sa.Column("session_id", sa.Uuid, sa.ForeignKey("sessions.session_id"), primary_key=True),
        sa.Column("product_code", sa.String(50), primary_key=True),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_shortages_quantity_positive"),
    )
    op.create_index("ix_shortages_product", "shortages", ["product_code"])
    op.create_table(
        "consumptions",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("session_id", sa.Uuid, sa.ForeignKey("sessions.session_id"), nullable=False),
        sa.Column("patient_id", sa.Uuid, nullable=False),
        sa.Column("product_code", sa.String(50), nullable=False),
        sa.Column("lot_id", sa.Uuid, sa.ForeignKey("lots.id"), nullable=True),
        sa.Column("lot_number", sa.String(64), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("consumed_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_consumptions_quantity_positive"),
    )
    op.create_index("ix_consumptions_lot_number", "consumptions", ["lot_number"])
    op.create_index("ix_consumptions_patient", "consumptions", ["patient_id"])


def downgrade() -> None:
    op.drop_table("consumptions")
    op.drop_table("shortages")
    op.drop_table("reservations")
    op.drop_table("sessions")
