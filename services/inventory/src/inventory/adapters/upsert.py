"""INSERT ... ON CONFLICT DO NOTHING on PostgreSQL and SQLite alike."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_once(session: AsyncSession, table: sa.Table, values: dict[str, Any]) -> bool:
    """Insert the row unless one with the same unique key exists; True when it was inserted."""
    postgres = session.get_bind().dialect.name == "postgresql"
    insert = pg_insert if postgres else sqlite_insert
    result = await session.execute(insert(table).values(**values).on_conflict_do_nothing())
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
