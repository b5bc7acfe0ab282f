"""Upgrading seals the contact details already stored; rotation re-seals them under a new key."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from clinic_shared import crypto
from clinic_shared.crypto.__main__ import rotate
from clinic_shared.db import Database, UTCDateTime
from clinic_shared.migrations import alembic_config
from scheduling.adapters.orm import metadata
from scheduling.adapters.patients import PatientRepository

PLAIN = {
    "id": uuid.uuid4(),
    "first_name": "Amelia",
    "last_name": "Hart",
    "phone": "+447911123456",
    "email": "amelia@example.com",
    "language": "en",
    "preferred_channel": "sms",
    "consent_sms": True,
    "consent_email": False,
    "created_at": datetime(2026, 1, 1, 9, tzinfo=UTC),
}
# The tables as revision 0004 left them: plain text columns.
PATIENTS_0004 = sa.table(
    "patients",
    sa.column("id", sa.Uuid),
    sa.column("created_at", UTCDateTime),
    *(sa.column(name) for name in PLAIN if name not in ("id", "created_at")),
)
OUTBOX_0004 = sa.table(
    "outbox",
    *(sa.column(n) for n in ("id", "type", "body", "status", "attempts")),
    *(sa.column(n, UTCDateTime) for n in ("created_at", "next_attempt_at")),
)
EVENT = '{"type": "scheduling.patient.registered", "data": {"phone": "+447911123456"}}'


@pytest.fixture
def database_url(postgres_databases) -> str:
    name = f"sealing_{uuid.uuid4().hex[:8]}"
    return str(asyncio.run(postgres_databases.fresh(name, metadata=sa.MetaData())))


@pytest.fixture(autouse=True)
def development_keys_after() -> Iterator[None]:
    yield
    crypto.install(crypto.Keyring.from_env())


def _migrate(url: str, revision: str) -> None:
    command.upgrade(alembic_config("scheduling:migrations", url), revision)


async def _raw(db: Database, sql: str) -> list[tuple[object, ...]]:
    async with db.session() as session:
        return [tuple(r) for r in await session.execute(sa.text(sql))]


async def _stored_before_sealing(url: str) -> Database:
    await asyncio.to_thread(_migrate, url, "0004")
    db = Database(url)
    at = PLAIN["created_at"]
    event = {"id": "e1", "type": "t", "body": EVENT, "status": "pending", "attempts": 0}
    async with db.session() as session, session.begin():
        await session.execute(sa.insert(PATIENTS_0004).values(**PLAIN))
        await session.execute(
            sa.insert(OUTBOX_0004).values(**event, created_at=at, next_attempt_at=at)
        )
    return db


async def _found_by_phone(db: Database) -> list[str]:
    async with db.session() as session:
        found = await PatientRepository(session).list(limit=10, offset=0, phone="+447911123456")
    return [p.email or "" for p in found]


async def test_upgrading_seals_contacts_already_stored_and_keeps_them_findable(
    database_url: str,
) -> None:
    db = await _stored_before_sealing(database_url)
    try:
        await asyncio.to_thread(_migrate, database_url, "head")
        stored = await _raw(db, "SELECT phone, email FROM patients")
        body = await _raw(db, "SELECT body FROM outbox")
        assert "7911" not in repr(stored + body)
        assert all(str(v).startswith("enc1.dev.") for v in [*stored[0], body[0][0]])
        assert await _found_by_phone(db) == ["amelia@example.com"]
    finally:
        await db.dispose()


async def test_rotation_reseals_every_row_under_the_new_keys(database_url: str) -> None:
    db = await _stored_before_sealing(database_url)
    try:
        await asyncio.to_thread(_migrate, database_url, "head")
        crypto.install(
            crypto.Keyring.parse(
                f"k2:{crypto.new_key()},{crypto.DEVELOPMENT_DATA_KEYS}", crypto.new_key()
            )
        )
        changed = await rotate(database_url, metadata)
        # every sealed table is reported; no practitioner has a calendar feed here
        assert changed == {"patients": 1, "outbox": 1, "practitioner_feeds": 0}
        stored = await _raw(db, "SELECT phone, email FROM patients")
        assert all(str(v).startswith("enc1.k2.") for v in stored[0])
        assert await _found_by_phone(db) == ["amelia@example.com"]  # with the new index key
        again = await rotate(database_url, metadata)
        assert again == {"patients": 0, "outbox": 0, "practitioner_feeds": 0}
    finally:
        await db.dispose()
