"""Dialect helpers: INSERT ... ON CONFLICT on PostgreSQL and SQLite alike."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared.db import insert_for


def upsert(session: AsyncSession, table: sa.Table) -> Any:
    """An INSERT for `table` that supports `on_conflict_do_*` on the session's dialect."""
    return insert_for(session.get_bind().dialect.name, table)
