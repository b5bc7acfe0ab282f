"""Patients' phone and email sealed at rest, found by blind index; erased patients; outbox sealed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from clinic_shared.crypto.rows import SealedTable, reseal, unseal, widen_to_text
from clinic_shared.db import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PATIENTS = SealedTable("patients", ["id"], {"phone": "phone_index", "email": "email_index"})
OUTBOX = SealedTable("outbox", ["id"], {"body": None})


def upgrade() -> None:
    with op.batch_alter_table("patients") as batch:
        batch.add_column(sa.Column("phone_index", sa.String(64), nullable=True))
        batch.add_column(sa.Column("email_index", sa.String(64), nullable=True))
        batch.add_column(sa.Column("erased_at", UTCDateTime, nullable=True))
    op.create_index("ix_patients_phone_index", "patients", ["phone_index"])
    op.create_index("ix_patients_email_index", "patients", ["email_index"])
    widen_to_text(op.get_bind(), "patients", ["phone", "email"])
    reseal(op.get_bind(), PATIENTS)
    reseal(op.get_bind(), OUTBOX)


def downgrade() -> None:
    unseal(op.get_bind(), OUTBOX)
    unseal(op.get_bind(), PATIENTS)
    op.drop_index("ix_patients_email_index", "patients")
    op.drop_index("ix_patients_phone_index", "patients")
    with op.batch_alter_table("patients") as batch:
        batch.drop_column("erased_at")
        batch.drop_column("email_index")
        batch.drop_column("phone_index")
