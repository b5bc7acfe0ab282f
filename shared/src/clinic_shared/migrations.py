"""Alembic helpers: each service's env.py calls `run_env`; services call `upgrade` on start."""

from __future__ import annotations

import asyncio
import threading
import zlib
from collections.abc import Callable

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from clinic_shared.db import engine_url


def alembic_config(script_location: str, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", script_location)
    config.attributes["database_url"] = url
    return config


# Alembic's `context` and `op` are module globals: two upgrades at once in one process would mix.
_one_at_a_time = threading.Lock()


def upgrade(script_location: str, url: str) -> None:
    """Bring the database at `url` to the newest revision (blocking; run it in a thread)."""
    with _one_at_a_time:
        command.upgrade(alembic_config(script_location, url), "head")


def run_env(metadata: MetaData, default_url: Callable[[], str]) -> None:
    """The body of a service's migrations/env.py."""
    url = context.config.attributes.get("database_url") or default_url()
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_online(url, metadata, script_lock_id(context.config)))


def script_lock_id(config: Config) -> int:
    """A stable advisory-lock key per service: replicas starting together migrate in turn."""
    return zlib.crc32(str(config.get_main_option("script_location")).encode())


async def _run_online(url: str, metadata: MetaData, lock_id: int) -> None:
    engine = create_async_engine(engine_url(url), poolclass=pool.NullPool)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(_migrate, metadata, lock_id)
    finally:
        await engine.dispose()


def _migrate(conn: Connection, metadata: MetaData, lock_id: int) -> None:
    conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": lock_id})
    conn.commit()
    try:
        context.configure(connection=conn, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
    finally:
        conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})
        conn.commit()
