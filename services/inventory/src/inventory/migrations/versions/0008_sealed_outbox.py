"""The outbox body is sealed at rest in every service (it is one shared table definition).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from alembic import op

from clinic_shared.crypto.rows import SealedTable, reseal, unseal

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OUTBOX = SealedTable("outbox", ["id"], {"body": None})


def upgrade() -> None:
    reseal(op.get_bind(), OUTBOX)


def downgrade() -> None:
    unseal(op.get_bind(), OUTBOX)
