"""Rolling upgrades, schema: the new release's migrations run while the previous release's replicas
still serve (an init container migrates before the first new pod starts). So the newest migration
only expands: the previous release's queries, on the schema as it was, run after it unchanged."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime
from typing import NamedTuple

import asyncpg
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from clinic_shared.migrations import alembic_config
from clinic_testing.postgres import PostgresDatabases
from inventory.domain.lots import lot_key

pytestmark = pytest.mark.postgres
SERVICES = ("scheduling", "inventory", "notifications", "dashboard")
# Inventory's 0010 added `lot_key` NOT NULL without a default; the release before it (its schema
# at 0009) inserts lots and consumptions without one. 0013's triggers fill it, and the test below
# runs those inserts on the newest schema.
BEFORE_LOT_KEYS = "0009"
FILLED_BY_TRIGGER = [
    "consumptions.lot_key added NOT NULL without a default: old inserts fail",
    "lots.lot_key added NOT NULL without a default: old inserts fail",
]


class Column(NamedTuple):
    type: str
    nullable: bool
    default: str | None


Schema = dict[str, dict[str, Column]]


async def _schema(url: str) -> Schema:
    conn = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))
    try:
        rows = await conn.fetch(
            "SELECT table_name, column_name, data_type, is_nullable = 'YES' AS nullable, "
            "column_default FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name <> 'alembic_version'"
        )
    finally:
        await conn.close()
    schema: Schema = {}
    for r in rows:
        column = Column(r["data_type"], r["nullable"], r["column_default"])
        schema.setdefault(r["table_name"], {})[r["column_name"]] = column
    return schema


async def _previous_releases_selects(url: str, old: Schema) -> None:
    """Each table's read as the previous release wrote it: its columns by name."""
    conn = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))
    try:
        for table, columns in old.items():
            names = ", ".join(f'"{c}"' for c in columns)
            await conn.fetch(f'SELECT {names} FROM "{table}" LIMIT 0')
    finally:
        await conn.close()


def _breaks(old: Schema, new: Schema) -> list[str]:
    """What in `new` would fail a query the previous release runs on `old`."""
    found = []
    for table, columns in old.items():
        if table not in new:
            found.append(f"table {table} dropped or renamed")
            continue
        for name, was in columns.items():
            now = new[table].get(name)
            if now is None:
                found.append(f"{table}.{name} dropped or renamed")
            elif now.type != was.type:
                found.append(f"{table}.{name} changed type {was.type} -> {now.type}")
            elif was.nullable and not now.nullable:
                found.append(f"{table}.{name} became NOT NULL: old inserts may leave it empty")
        for name, now in new[table].items():
            if name not in columns and not now.nullable and now.default is None:
                found.append(f"{table}.{name} added NOT NULL without a default: old inserts fail")
    return found


@pytest.mark.parametrize("service", SERVICES)
async def test_the_previous_releases_queries_run_after_the_newest_migration(
    service: str, postgres_databases: PostgresDatabases
) -> None:
    url = await postgres_databases.fresh(f"expand_{service}", metadata=sa.MetaData())
    config = alembic_config(f"{service}:migrations", url)
    scripts = ScriptDirectory.from_config(config)
    head = scripts.get_current_head()
    assert head is not None
    previous = scripts.get_revision(head).down_revision
    assert isinstance(previous, str), f"{service}'s newest migration has no single predecessor"

    await asyncio.to_thread(command.upgrade, config, previous)
    old = await _schema(url)
    await asyncio.to_thread(command.upgrade, config, "head")
    new = await _schema(url)

    assert old, f"{service} had no tables before its newest migration"
    assert _breaks(old, new) == [], f"{service}'s migration {head} is not expand-only"
    await _previous_releases_selects(url, old)


def _before_lot_keys_rows() -> dict[str, dict[str, object]]:
    """A delivered lot, and a completed session that used it, as the release before lot keys
    inserted them: every column it knew, named."""
    lot_id, session_id, patient_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    day, at = date(2026, 3, 2), datetime(2026, 3, 2, 9, tzinfo=UTC)
    return {
        "lots": {
            "id": lot_id,
            "product_code": "caffeine",
            "lot_number": " B-Xyz",
            "expires_on": date(2027, 1, 1),
            "quantity": 5,
            "reserved": 0,
            "consumed": 1,
            "status": "available",
            "received_at": at,
        },
        "sessions": {
            "session_id": session_id,
            "course_id": uuid.uuid4(),
            "patient_id": patient_id,
            "treatment_code": "cellulite-arms",
            "sequence": 1,
            "sessions_planned": 10,
            "starts_at": at,
            "session_on": day,
            "status": "completed",
            "as_of": at,
        },
        "consumptions": {
            "id": uuid.uuid4(),
            "session_id": session_id,
            "patient_id": patient_id,
            "product_code": "caffeine",
            "lot_id": lot_id,
            "lot_number": "b-xyz ",
            "quantity": 1,
            "consumed_at": at,
        },
    }


async def _insert_as_before_lot_keys(url: str, old: Schema) -> dict[str, str]:
    """Run the old release's inserts; each table's stored `lot_key` by lot number."""
    conn = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))
    keys = {}
    try:
        for table, row in _before_lot_keys_rows().items():
            if table != "sessions":
                assert set(row) == set(old[table]), f"{table}: not the old release's whole row"
            names, marks = ", ".join(row), ", ".join(f"${i}" for i in range(1, len(row) + 1))
            await conn.execute(
                f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING",
                *row.values(),
            )
        for table in ("lots", "consumptions"):
            [stored] = await conn.fetch(f"SELECT lot_number, lot_key FROM {table}")
            keys[stored["lot_number"]] = stored["lot_key"]
    finally:
        await conn.close()
    return keys


async def test_the_release_before_lot_keys_inserts_lots_and_consumptions_on_the_newest_schema(
    postgres_databases: PostgresDatabases,
) -> None:
    url = await postgres_databases.fresh("expand_lot_keys", metadata=sa.MetaData())
    config = alembic_config("inventory:migrations", url)
    await asyncio.to_thread(command.upgrade, config, BEFORE_LOT_KEYS)
    old = await _schema(url)
    await asyncio.to_thread(command.upgrade, config, "head")

    assert sorted(_breaks(old, await _schema(url))) == FILLED_BY_TRIGGER
    keys = await _insert_as_before_lot_keys(url, old)
    assert (
        keys
        == {" B-Xyz": lot_key(" B-Xyz"), "b-xyz ": lot_key("b-xyz ")}
        == {
            " B-Xyz": "b-xyz",
            "b-xyz ": "b-xyz",
        }
    )
    await _previous_releases_selects(url, old)


def test_a_dropped_column_or_a_new_required_one_is_named() -> None:
    old: Schema = {
        "sessions": {"id": Column("uuid", False, None), "note": Column("text", True, None)}
    }
    new: Schema = {
        "sessions": {
            "id": Column("uuid", False, None),
            "room": Column("uuid", False, None),
            "kind": Column("text", False, "'single'::text"),
        }
    }
    assert _breaks(old, new) == [
        "sessions.note dropped or renamed",
        "sessions.room added NOT NULL without a default: old inserts fail",
    ]
