"""Upgrading to 0009 keys the names already stored, so they are found ignoring accents; a row
the previous release writes meanwhile (no key) is still found by its lower-cased name."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from clinic_shared.db import Database, UTCDateTime
from clinic_shared.migrations import alembic_config
from scheduling.adapters.patients import PatientRepository

ROW = {
    "language": "fr",
    "preferred_channel": "email",
    "consent_sms": False,
    "consent_email": False,
    "created_at": datetime(2026, 1, 1, 9, tzinfo=UTC),
}
# The patients table as the release before 0009 writes it: no name_key.
PATIENTS_0008 = sa.table(
    "patients",
    sa.column("id", sa.Uuid),
    sa.column("first_name"),
    sa.column("last_name"),
    sa.column("created_at", UTCDateTime),
    *(sa.column(name) for name in ROW if name != "created_at"),
)


@pytest.fixture
def database_url(postgres_databases) -> str:
    name = f"name_key_{uuid.uuid4().hex[:8]}"
    return str(asyncio.run(postgres_databases.fresh(name, metadata=sa.MetaData())))


def _migrate(url: str, revision: str) -> None:
    command.upgrade(alembic_config("scheduling:migrations", url), revision)


async def _insert_as_before(db: Database, first_name: str, last_name: str) -> uuid.UUID:
    patient_id = uuid.uuid4()
    async with db.session() as session, session.begin():
        await session.execute(
            sa.insert(PATIENTS_0008).values(
                id=patient_id, first_name=first_name, last_name=last_name, **ROW
            )
        )
    return patient_id


async def _found(db: Database, name: str) -> list[uuid.UUID]:
    async with db.session() as session:
        return [p.id for p in await PatientRepository(session).list(limit=10, offset=0, name=name)]


async def test_upgrading_keys_stored_names_and_finds_rows_written_without_a_key(
    database_url: str,
) -> None:
    await asyncio.to_thread(_migrate, database_url, "0010")
    db = Database(database_url)
    try:
        chloe = await _insert_as_before(db, "Chloé", "Lefèvre")
        await asyncio.to_thread(_migrate, database_url, "head")
        late = await _insert_as_before(db, "Zoé", "Martin")

        assert await _found(db, "chloe lefevre") == [chloe]
        assert await _found(db, "zoé mar") == [late]
    finally:
        await db.dispose()
