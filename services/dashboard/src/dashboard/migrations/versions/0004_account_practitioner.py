"""A practitioner's staff account names the scheduling practitioner it is (issue 28).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Scheduling's practitioner id: another service's, so no foreign key. One account each.
    op.add_column("staff_accounts", sa.Column("practitioner_id", sa.Uuid, nullable=True))
    op.create_unique_constraint(
        "uq_staff_accounts_practitioner_id", "staff_accounts", ["practitioner_id"]
    )


def downgrade() -> None:
    op.drop_constraint("uq_staff_accounts_practitioner_id", "staff_accounts", type_="unique")
    op.drop_column("staff_accounts", "practitioner_id")
