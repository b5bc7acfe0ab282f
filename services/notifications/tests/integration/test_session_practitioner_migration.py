"""Upgrading to 0013 keeps the sessions already stored, naming no practitioner until their next
event (test_practitioner_scope.py shows what a practitioner is shown of them, and the fill)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from clinic_shared.db import Database, UTCDateTime
from clinic_shared.migrations import alembic_config
from notifications.adapters.orm import sessions

AT = datetime(2026, 6, 1, 9, tzinfo=UTC)
SESSION = uuid.uuid4()
# The table as revision 0012 left it, with the columns a row needs.
SESSIONS_0012 = sa.table(
    "sessions",
    *(sa.column(n, sa.Uuid) for n in ("session_id", "course_id", "patient_id")),
    *(sa.column(n, UTCDateTime) for n in ("starts_at", "source_occurred_at")),
    *(sa.column(n) for n in ("status", "sequence", "sessions_planned", "treatment_code")),
)


@pytest.fixture
def database_url(postgres_databases) -> str:
    name = f"practitioner_{uuid.uuid4().hex[:8]}"
    return str(asyncio.run(postgres_databases.fresh(name, metadata=sa.MetaData())))


def _migrate(url: str, revision: str, *, down: bool = False) -> None:
    config = alembic_config("notifications:migrations", url)
    (command.downgrade if down else command.upgrade)(config, revision)


async def test_a_session_stored_before_0013_names_no_practitioner_and_downgrading_keeps_it(
    database_url: str,
) -> None:
    await asyncio.to_thread(_migrate, database_url, "0012")
    db = Database(database_url)
    row = {
        "session_id": SESSION,
        "course_id": uuid.uuid4(),
        "patient_id": uuid.uuid4(),
        "starts_at": AT,
        "source_occurred_at": AT,
        "status": "booked",
        "sequence": 1,
        "sessions_planned": 6,
        "treatment_code": "cellulite-thighs",
    }
    try:
        async with db.session() as session, session.begin():
            await session.execute(sa.insert(SESSIONS_0012).values(row))
        await asyncio.to_thread(_migrate, database_url, "head")
        async with db.session() as session:
            upgraded = (await session.execute(sa.select(sessions))).one()
        await asyncio.to_thread(_migrate, database_url, "0012", down=True)
        async with db.session() as session:
            downgraded = (await session.execute(sa.select(SESSIONS_0012))).one()
    finally:
        await db.dispose()

    assert upgraded.session_id == SESSION
    assert upgraded.practitioner_id is None
    assert downgraded.session_id == SESSION
