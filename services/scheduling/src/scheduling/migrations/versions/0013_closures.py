"""The clinic's closures, the public holidays it chooses to open on, and the flag a session
carries when time off or a closure was recorded over it with `force: true`.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from clinic_shared.db import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "closures",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("starts_at", UTCDateTime, nullable=False),
        sa.Column("ends_at", UTCDateTime, nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name="ck_closures_ordered"),
    )
    op.create_index("ix_closures_start", "closures", ["starts_at"])
    op.create_table(
        "holiday_openings",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("opened_by", sa.String(200), nullable=False),
        sa.Column("opened_at", UTCDateTime, nullable=False),
    )
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("closure_conflict", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("closure_conflict")
    op.drop_table("holiday_openings")
    op.drop_index("ix_closures_start", table_name="closures")
    op.drop_table("closures")
