"""Rolling upgrades, schema: the new release's migrations run while the previous release's replicas
still serve (an init container migrates before the first new pod starts). So the newest migration
only expands: the previous release's queries, on the schema as it was, run after it unchanged."""

from __future__ import annotations

import asyncio
from typing import NamedTuple

import asyncpg
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from clinic_shared.migrations import alembic_config
from clinic_testing.postgres import PostgresDatabases

pytestmark = pytest.mark.postgres
SERVICES = ("scheduling", "inventory", "notifications", "dashboard")
# Newest migrations known not to be expand-only, with exactly what they break. A release holding
# one is deployed with the previous release's replicas stopped first (a Recreate rollout), not
# rolled: here the previous inventory's inserts of lots and consumptions, which set no lot_key,
# fail from the moment 0010 has run until the last old replica is gone.
KNOWN_BREAKS = {
    ("inventory", "0010"): [
        "consumptions.lot_key added NOT NULL without a default: old inserts fail",
        "lots.lot_key added NOT NULL without a default: old inserts fail",
    ],
}


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
    known = KNOWN_BREAKS.get((service, head), [])
    assert sorted(_breaks(old, new)) == known, f"{service}'s migration {head} is not expand-only"
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
