"""Contacts' and the consent ledger's phone and email sealed at rest, found by blind index;
erased contacts; outbox sealed.

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

CONTACTS = SealedTable("contacts", ["patient_id"], {"phone": "phone_index", "email": "email_index"})
LEDGER = SealedTable("consent_ledger", ["id"], {"address": "address_index"})
OUTBOX = SealedTable("outbox", ["id"], {"body": None})


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("phone_index", sa.String(64), nullable=True))
        batch.add_column(sa.Column("email_index", sa.String(64), nullable=True))
        batch.add_column(sa.Column("erased_at", UTCDateTime, nullable=True))
    op.create_index("ix_contacts_phone_index", "contacts", ["phone_index"])
    op.create_index("ix_contacts_email_index", "contacts", ["email_index"])
    op.drop_index("ix_consent_ledger_address", "consent_ledger")
    with op.batch_alter_table("consent_ledger") as batch:
        batch.add_column(sa.Column("address_index", sa.String(64), nullable=True))
    widen_to_text(op.get_bind(), "contacts", ["phone", "email"])
    widen_to_text(op.get_bind(), "consent_ledger", ["address"])
    for table in (CONTACTS, LEDGER, OUTBOX):
        reseal(op.get_bind(), table)
    with op.batch_alter_table("consent_ledger") as batch:
        batch.alter_column("address_index", existing_type=sa.String(64), nullable=False)
    op.create_index("ix_consent_ledger_address_index", "consent_ledger", ["address_index"])


def downgrade() -> None:
    for table in (OUTBOX, LEDGER, CONTACTS):
        unseal(op.get_bind(), table)
    op.drop_index("ix_consent_ledger_address_index", "consent_ledger")
    with op.batch_alter_table("consent_ledger") as batch:
        batch.drop_column("address_index")
    op.create_index("ix_consent_ledger_address", "consent_ledger", ["address"])
    op.drop_index("ix_contacts_email_index", "contacts")
    op.drop_index("ix_contacts_phone_index", "contacts")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("erased_at")
        batch.drop_column("email_index")
        batch.drop_column("phone_index")
