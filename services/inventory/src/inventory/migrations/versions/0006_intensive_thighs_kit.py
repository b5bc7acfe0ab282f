"""A kit for scheduling's intensive thighs protocol: the thighs kit.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TREATMENT = "cellulite-thighs-intensive"


def upgrade() -> None:
    op.execute(
        sa.text(
            "INSERT INTO kit_items (treatment_code, product_code, quantity) "
            "SELECT :treatment, product_code, quantity FROM kit_items "
            "WHERE treatment_code = 'cellulite-thighs' AND NOT EXISTS "
            "(SELECT 1 FROM kit_items WHERE treatment_code = :treatment)"
        ).bindparams(treatment=TREATMENT)
    )


def downgrade() -> None:
    op.execute(
        sa.text("DELETE FROM kit_items WHERE treatment_code = :treatment").bindparams(
            treatment=TREATMENT
        )
    )
