"""Shared set-up of the inventory benchmarks: a throwaway PostgreSQL database and namespace."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"


@contextlib.asynccontextmanager
async def scratch_database(admin_dsn: str = ADMIN_DSN) -> AsyncIterator[str]:
    """A new empty database for the run, dropped afterwards; yields its asyncpg SQLAlchemy URL."""
    name = f"bench_inventory_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(admin_dsn)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    try:
        base = admin_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        yield f"{base}/{name}"
    finally:
        conn = await asyncpg.connect(admin_dsn)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()
