"""Products, kits, lots and receipts; the clinic's catalogue as data.

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

# A frozen copy of the catalogue as first shipped (later edits belong in later revisions), so a
# fresh production database has products and kits without the demo seed.
PRODUCTS = [
    ("caffeine", "Caffeine 2.5%", 5.0, 7, 20, 14),
    ("l-carnitine", "L-carnitine 10%", 5.0, 10, 20, 14),
    ("artichoke", "Artichoke extract", 5.0, 14, 10, 21),
    ("vitamin-blend", "Multivitamin blend", 5.0, 7, 15, 14),
    ("glycolic-acid", "Glycolic acid 10%", 2.0, 21, 5, 28),
    ("lidocaine", "Lidocaine 2%", 2.0, 5, 10, 14),
]
KITS = {
    "cellulite-thighs": {
        "caffeine": 2,
        "l-carnitine": 2,
        "artichoke": 1,
        "vitamin-blend": 1,
        "lidocaine": 1,
    },
    "cellulite-buttocks": {
        "caffeine": 2,
        "l-carnitine": 1,
        "artichoke": 1,
        "vitamin-blend": 1,
        "lidocaine": 1,
    },
    "cellulite-abdomen": {"caffeine": 1, "l-carnitine": 1, "artichoke": 1, "vitamin-blend": 1},
    "cellulite-calves": {"caffeine": 1, "l-carnitine": 1, "vitamin-blend": 1},
    "cellulite-arms": {"caffeine": 1, "vitamin-blend": 1},
}


def upgrade() -> None:
    products = op.create_table(
        "products",
        sa.Column("code", sa.String(50), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("volume_ml", sa.Float, nullable=False),
        sa.Column("lead_time_days", sa.Integer, nullable=False),
        sa.Column("safety_stock", sa.Integer, nullable=False),
        sa.Column("review_period_days", sa.Integer, nullable=False),
        sa.Column("reorder_quantity", sa.Integer, nullable=True),
    )
    kit_items = op.create_table(
        "kit_items",
        sa.Column("treatment_code", sa.String(50), primary_key=True),
        sa.Column("product_code", sa.String(50), sa.ForeignKey("products.code"), primary_key=True),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_kit_items_quantity_positive"),
    )
    op.create_table(
        "lots",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("product_code", sa.String(50), sa.ForeignKey("products.code"), nullable=False),
        sa.Column("lot_number", sa.String(64), nullable=False),
        sa.Column("expires_on", sa.Date, nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("reserved", sa.Integer, nullable=False, server_default="0"),
        sa.Column("consumed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.String(16), nullable=False, server_default="available"),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("product_code", "lot_number", name="uq_lots_product_lot_number"),
        sa.CheckConstraint(
            "reserved >= 0 AND consumed >= 0 AND reserved + consumed <= quantity",
            name="ck_lots_never_oversold",
        ),
    )
    op.create_index("ix_lots_product_expiry", "lots", ["product_code", "expires_on"])
    op.create_table(
        "receipts",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("lot_id", sa.Uuid, sa.ForeignKey("lots.id"), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("received_by", sa.String(100), nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_receipts_quantity_positive"),
    )
    fields = ("code", "name", "volume_ml", "lead_time_days", "safety_stock", "review_period_days")
    op.bulk_insert(products, [dict(zip(fields, p, strict=True), unit="vial") for p in PRODUCTS])
    op.bulk_insert(
        kit_items,
        [
            {"treatment_code": t, "product_code": p, "quantity": q}
            for t, lines in KITS.items()
            for p, q in lines.items()
        ],
    )


def downgrade() -> None:
    op.drop_table("receipts")
    op.drop_index("ix_lots_product_expiry", "lots")
    op.drop_table("lots")
    op.drop_table("kit_items")
    op.drop_table("products")
