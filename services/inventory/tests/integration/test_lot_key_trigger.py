"""Revision 0013: an insert that leaves `lot_key` empty (the previous release's) gets the key
`domain.lots.lot_key` would give, computed by the database."""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from clinic_testing.helpers import clinic_today
from inventory.adapters.orm import consumptions, lots, sessions
from inventory.domain.lots import lot_key

from .conftest import Inventory

EVERY_CHARACTER = "".join(chr(c) for c in range(1, sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
SPACES = "".join(c for c in EVERY_CHARACTER if c.isspace())
AT = datetime(2026, 1, 1, 9, tzinfo=UTC)


async def _database_keys(inventory: Inventory, numbers: list[str]) -> list[str]:
    async with inventory.app.state.runtime.db.session() as session:
        rows = await session.execute(
            sa.text("SELECT lot_key_of(n) FROM unnest(CAST(:numbers AS text[])) AS n"),
            {"numbers": numbers},
        )
        return [key for (key,) in rows.all()]


async def _insert(inventory: Inventory, table: sa.Table, **values: Any) -> int:
    """Insert as the previous release did: every column but `lot_key`, on conflict nothing."""
    statement = sa.text(
        f"INSERT INTO {table.name} ({', '.join(values)}) "
        f"VALUES ({', '.join(':' + name for name in values)}) ON CONFLICT DO NOTHING"
    )
    async with inventory.app.state.runtime.db.session() as session, session.begin():
        result = await session.execute(statement, values)
        return int(result.rowcount)  # type: ignore[attr-defined]


def _old_lot(number: str) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "product_code": "caffeine",
        "lot_number": number,
        "expires_on": clinic_today() + timedelta(days=90),
        "quantity": 5,
        "reserved": 0,
        "consumed": 0,
        "status": "available",
        "received_at": AT,
    }


def _treated_session() -> dict[str, Any]:
    day = clinic_today() - timedelta(days=1)
    return {
        "session_id": uuid.uuid4(),
        "course_id": uuid.uuid4(),
        "patient_id": uuid.uuid4(),
        "treatment_code": "cellulite-arms",
        "sequence": 1,
        "sessions_planned": 10,
        "starts_at": datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
        "session_on": day,
        "status": "completed",
        "as_of": AT,
    }


async def test_the_databases_key_is_the_codes_for_every_character(inventory: Inventory) -> None:
    characters = [*EVERY_CHARACTER]
    assert await _database_keys(inventory, characters) == [lot_key(c) for c in characters]


async def test_the_databases_key_strips_and_folds_whole_numbers_as_the_code_does(
    inventory: Inventory,
) -> None:
    step = 60_000
    chunks = [EVERY_CHARACTER[i : i + step] for i in range(0, len(EVERY_CHARACTER), step)]
    numbers = [f"{SPACES}{chunk}{SPACES}" for chunk in chunks] + [
        "  b-XYZ\t",
        "STRASSE",
        "Straße ",
        "\u00a0ǅ-1\u3000",
        SPACES,
        "",
    ]
    keys = await _database_keys(inventory, numbers)
    assert keys == [lot_key(n) for n in numbers]
    assert keys[-6:] == ["b-xyz", "strasse", "strasse", "ǆ-1", "", ""]


async def test_a_lot_and_a_consumption_inserted_without_a_key_get_it(
    inventory: Inventory,
) -> None:
    lot = _old_lot(" B-Xyz\t")
    assert await _insert(inventory, lots, **lot) == 1
    treated = _treated_session()
    await _insert(inventory, sessions, **treated)
    consumed = {
        "id": uuid.uuid4(),
        "session_id": treated["session_id"],
        "patient_id": treated["patient_id"],
        "product_code": "caffeine",
        "lot_id": lot["id"],
        "lot_number": "b-xyz ",
        "quantity": 1,
        "consumed_at": AT,
    }
    assert await _insert(inventory, consumptions, **consumed) == 1

    [stored] = await inventory.rows(lots)
    [used] = await inventory.rows(consumptions)
    assert (stored.lot_number, stored.lot_key) == (" B-Xyz\t", "b-xyz")
    assert (used.lot_number, used.lot_key) == ("b-xyz ", "b-xyz")


async def test_a_key_the_insert_sets_is_kept(inventory: Inventory) -> None:
    """This release always sets the key: the trigger leaves it alone."""
    lot = _old_lot("B-1") | {"lot_key": "set-by-the-code"}
    assert await _insert(inventory, lots, **lot) == 1
    [stored] = await inventory.rows(lots)
    assert stored.lot_key == "set-by-the-code"


async def test_the_same_spelling_inserted_twice_is_skipped_as_before(
    inventory: Inventory,
) -> None:
    assert await _insert(inventory, lots, **_old_lot("B-1")) == 1
    assert await _insert(inventory, lots, **_old_lot("B-1")) == 0
    assert len(await inventory.rows(lots)) == 1


async def test_a_lot_stored_under_another_spelling_refuses_the_insert(
    inventory: Inventory,
) -> None:
    """The previous release looks lots up by exact number: a silently skipped insert would
    send its receipt round looking and inserting for ever."""
    received = await inventory.receive("caffeine", "b-1", 5)
    with pytest.raises(IntegrityError, match="lot B-1  of caffeine is already stored as b-1"):
        await _insert(inventory, lots, **_old_lot("B-1 "))
    assert [lot.id for lot in await inventory.rows(lots)] == [uuid.UUID(received["id"])]
