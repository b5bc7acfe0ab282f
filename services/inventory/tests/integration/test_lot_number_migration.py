"""Revision 0010: lots stored under two spellings of one number become one lot, safely."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from clinic_shared.db import Database
from clinic_shared.migrations import alembic_config
from clinic_testing.helpers import bearer, clinic_today, running
from inventory.bootstrap import build_app
from inventory.settings import InventorySettings

from .conftest import STOCK

TODAY = clinic_today()
AT = datetime(2026, 1, 1, 9, tzinfo=UTC)
SOON, LATER = TODAY + timedelta(days=30), TODAY + timedelta(days=90)
TREATED, BOOKED = uuid.uuid4(), uuid.uuid4()
PATIENT = uuid.uuid4()
RECALLED, TWIN, SPACED = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
EARLY, LATE = uuid.uuid4(), uuid.uuid4()


@pytest.fixture
def database_url(postgres_databases) -> str:
    name = f"lotkeys_{uuid.uuid4().hex[:8]}"
    return str(asyncio.run(postgres_databases.fresh(name, metadata=sa.MetaData())))


def _migrate(url: str, revision: str) -> None:
    command.upgrade(alembic_config("inventory:migrations", url), revision)


def _lot(
    lot_id: uuid.UUID, number: str, expires_on: date, received_day: int, **counts: Any
) -> dict[str, Any]:
    values = {"quantity": 5, "reserved": 0, "consumed": 0, "status": "available"} | counts
    return (
        {"id": lot_id, "product_code": "caffeine", "lot_number": number}
        | values
        | {
            "expires_on": expires_on,
            "received_at": AT + timedelta(days=received_day),
        }
    )


async def _stored_before(url: str) -> None:
    """As 0009 left things: "B-XYZ" recalled after treating a patient, then delivered again as
    "b-xyz " and reserved for a booked session; "l-7" then "L-7" expiring on different days;
    "CAF-1 " with a stray space; a stray consumption of "b-XYZ" never linked to a lot."""
    await asyncio.to_thread(_migrate, url, "0009")
    session_day = TODAY + timedelta(days=60)
    rows: dict[str, list[dict[str, Any]]] = {
        "lots": [
            _lot(RECALLED, "B-XYZ", LATER, 1, quantity=3, consumed=1, status="recalled"),
            _lot(TWIN, "b-xyz ", LATER, 2, quantity=4, reserved=1),
            _lot(LATE, "l-7", LATER, 3, quantity=6, reserved=2),
            _lot(EARLY, "L-7", SOON, 4, quantity=2),
            _lot(SPACED, "CAF-1 ", LATER, 5),
        ],
        "sessions": [
            _session(TREATED, TODAY - timedelta(days=5), "completed"),
            _session(BOOKED, session_day, "booked"),
        ],
        "reservations": [
            _reservation(TREATED, RECALLED, 1, "consumed"),
            _reservation(BOOKED, TWIN, 1, "reserved"),
            _reservation(BOOKED, LATE, 2, "reserved"),
        ],
        "consumptions": [
            _consumption(RECALLED, "B-XYZ"),
            _consumption(None, "b-XYZ "),
        ],
    }
    db = Database(url)
    try:
        async with db.session() as session, session.begin():
            for table, values in rows.items():
                columns = [sa.column(name) for name in values[0]]
                await session.execute(sa.insert(sa.table(table, *columns)), values)
    finally:
        await db.dispose()


def _session(session_id: uuid.UUID, day: date, status: str) -> dict[str, Any]:
    starts_at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    return {
        "session_id": session_id,
        "course_id": uuid.uuid4(),
        "patient_id": PATIENT,
        "treatment_code": "cellulite-arms",
        "sequence": 1,
        "sessions_planned": 10,
        "starts_at": starts_at,
        "session_on": day,
        "status": status,
        "as_of": AT,
    }


def _reservation(session: uuid.UUID, lot: uuid.UUID, quantity: int, status: str) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "session_id": session,
        "product_code": "caffeine",
        "lot_id": lot,
        "quantity": quantity,
        "status": status,
        "created_at": AT,
    }


def _consumption(lot: uuid.UUID | None, number: str) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "session_id": TREATED,
        "patient_id": PATIENT,
        "product_code": "caffeine",
        "lot_id": lot,
        "lot_number": number,
        "quantity": 1,
        "consumed_at": AT,
    }


async def test_twin_lots_merge_into_the_first_received_keeping_the_strictest_status(
    make_settings, database_url: str
) -> None:
    await _stored_before(database_url)
    await asyncio.to_thread(_migrate, database_url, "head")

    settings = await make_settings(InventorySettings, database_url=database_url)
    async with running(build_app(settings)) as client:
        found = (await client.get("/v1/lots", headers=STOCK)).json()
        lines = await client.get(
            "/v1/reservations", params={"session_id": str(BOOKED)}, headers=STOCK
        )
        traced = await client.get(
            "/v1/traceability", params={"lot_number": "b-xyz"}, headers=bearer("admin")
        )
        alerts = (await client.get("/v1/alerts", headers=STOCK)).json()
        again = await client.post(
            "/v1/receipts",
            json={
                "product_code": "caffeine",
                "lot_number": "B-xyz",
                "expires_on": LATER.isoformat(),
                "quantity": 1,
            },
            headers=STOCK,
        )

    lots = {lot["id"]: lot for lot in found}
    assert set(lots) == {str(RECALLED), str(LATE), str(SPACED)}
    merged, seven = lots[str(RECALLED)], lots[str(LATE)]
    assert (merged["lot_number"], merged["status"]) == ("B-XYZ", "recalled")
    assert (merged["quantity"], merged["reserved"], merged["consumed"]) == (7, 0, 1)
    assert (seven["lot_number"], seven["expires_on"]) == ("l-7", SOON.isoformat())
    assert (seven["quantity"], seven["reserved"]) == (8, 0)
    assert lots[str(SPACED)]["lot_number"] == "CAF-1"
    held = {(line["lot_number"], line["quantity"], line["status"]) for line in lines.json()}
    assert held == {("B-XYZ", 1, "released"), ("l-7", 2, "released"), (None, 3, "short")}
    assert traced.json()["patient_ids"] == [str(PATIENT)]
    assert {c["lot_id"] for c in traced.json()["consumptions"]} == {str(RECALLED), None}
    [shortage] = [a for a in alerts if a["kind"] == "shortage"]
    assert shortage["session_id"] == str(BOOKED)
    assert "lacks 3 Caffeine 2.5%" in shortage["message"]
    assert again.status_code == 409, again.text
