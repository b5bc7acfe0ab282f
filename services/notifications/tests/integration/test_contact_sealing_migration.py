"""Upgrading seals the contacts and consent ledger already stored; lookups by number still work."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from clinic_shared.db import Database, UTCDateTime
from clinic_shared.migrations import alembic_config
from notifications.adapters.consent import ConsentRepository

AT = datetime(2026, 1, 1, 9, tzinfo=UTC)
PHONE, EMAIL = "+33612345678", "amelia@example.com"
PATIENT = uuid.uuid4()
# The tables as revision 0004 left them: plain text contacts.
CONTACTS_0004 = sa.table(
    "contacts",
    sa.column("patient_id", sa.Uuid),
    *(sa.column(n, UTCDateTime) for n in ("source_occurred_at", "updated_at")),
    *(sa.column(n) for n in ("first_name", "phone", "email", "language", "preferred_channel")),
    *(sa.column(n) for n in ("consent_sms", "consent_email")),
)
LEDGER_0004 = sa.table(
    "consent_ledger",
    sa.column("patient_id", sa.Uuid),
    sa.column("recorded_at", UTCDateTime),
    *(sa.column(n) for n in ("channel", "address", "action", "source")),
)


@pytest.fixture
def database_url(postgres_databases) -> str:
    name = f"sealing_{uuid.uuid4().hex[:8]}"
    return str(asyncio.run(postgres_databases.fresh(name, metadata=sa.MetaData())))


def _migrate(url: str, revision: str) -> None:
    command.upgrade(alembic_config("notifications:migrations", url), revision)


async def _store_plain(db: Database) -> None:
    contact = {"first_name": "Amelia", "phone": PHONE, "email": EMAIL, "language": "en"}
    async with db.session() as session, session.begin():
        await session.execute(
            sa.insert(CONTACTS_0004).values(
                patient_id=PATIENT,
                preferred_channel="sms",
                consent_sms=False,
                consent_email=True,
                source_occurred_at=AT,
                updated_at=AT,
                **contact,
            )
        )
        await session.execute(
            sa.insert(LEDGER_0004).values(
                patient_id=PATIENT,
                recorded_at=AT,
                channel="sms",
                address=PHONE,
                action="opt_out",
                source="sms_reply",
            )
        )


async def test_upgrading_seals_stored_contacts_and_the_number_still_finds_the_patient(
    database_url: str,
) -> None:
    await asyncio.to_thread(_migrate, database_url, "0004")
    db = Database(database_url)
    try:
        await _store_plain(db)
        await asyncio.to_thread(_migrate, database_url, "head")
        async with db.session() as session:
            raw = await session.execute(
                sa.text(
                    "SELECT phone, email FROM contacts"
                    " UNION ALL SELECT address, '' FROM consent_ledger"
                )
            )
            stored = repr(raw.all())
            consent = ConsentRepository(session)
            assert await consent.patients_with_phone(PHONE) == [PATIENT]
            assert await consent.sms_opted_out(PHONE)
        assert "612345678" not in stored
        assert EMAIL not in stored
        assert stored.count("enc1.dev.") == 3
    finally:
        await db.dispose()
