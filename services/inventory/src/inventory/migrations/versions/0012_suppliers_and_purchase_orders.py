"""Suppliers with their terms per product, purchase orders with their lines and receipts, and
each product's cover margin (days of demand an order covers past the lead time, default 7).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from clinic_shared.db import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "products", sa.Column("cover_days", sa.Integer, nullable=False, server_default="7")
    )
    op.create_table(
        "suppliers",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "supplier_products",
        sa.Column(
            "supplier_id",
            sa.Uuid,
            sa.ForeignKey("suppliers.id", ondelete="CASCADE"),
            primary_key=True,
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
    )
    op.create_index(
        "uq_supplier_products_one_preferred",
        "supplier_products",
        ["product_code"],
        unique=True,
        postgresql_where=sa.text("preferred"),
    )
    op.create_table(
        "purchase_orders",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("supplier_id", sa.Uuid, sa.ForeignKey("suppliers.id"), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("expected_on", sa.Date, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_purchase_orders_status", "purchase_orders", ["status"])
    op.create_index(
        "uq_purchase_orders_one_draft",
        "purchase_orders",
        ["supplier_id"],
        unique=True,
        postgresql_where=sa.text("status = 'draft'"),
    )
    op.create_table(
        "purchase_order_lines",
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
    op.create_table(
        "purchase_order_receipts",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("order_id", sa.Uuid, sa.ForeignKey("purchase_orders.id"), nullable=False),
        sa.Column("product_code", sa.String(50), nullable=False),
        sa.Column("lot_id", sa.Uuid, sa.ForeignKey("lots.id"), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("over_reason", sa.String(500), nullable=True),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("received_by", sa.String(100), nullable=False),
        sa.CheckConstraint("quantity > 0", name="ck_purchase_order_receipts_quantity_positive"),
    )
    op.create_index("ix_purchase_order_receipts_order", "purchase_order_receipts", ["order_id"])


def downgrade() -> None:
    op.drop_table("purchase_order_receipts")
    op.drop_table("purchase_order_lines")
    op.drop_table("purchase_orders")
    op.drop_table("supplier_products")
    op.drop_table("suppliers")
    op.drop_column("products", "cover_days")
