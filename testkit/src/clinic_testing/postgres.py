"""One PostgreSQL database per service per test worker, migrated once, reset before each test.

Reset means: every table emptied, then the rows the migrations themselves wrote (a catalogue, say)
put back from a snapshot taken right after migrating.
"""

from __future__ import annotations

import asyncio

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from clinic_shared import migrations


def _dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


SNAPSHOT = "clinic_test_snapshot"


def _quoted(table: str) -> str:
    return f'"{table}"'


async def _tables(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename <> 'alembic_version' ORDER BY tablename"
    )
    return [r["tablename"] for r in rows]


async def _restore(conn: asyncpg.Connection, tables: list[str]) -> None:
    """Put the snapshot back, parents before children (retrying a table whose parent is missing)."""
    pending = tables
    while pending:
        waiting = []
        for table in pending:
            try:
                await conn.execute(f"INSERT INTO public.{table} SELECT * FROM {SNAPSHOT}.{table}")
            except asyncpg.ForeignKeyViolationError:
                waiting.append(table)
        if len(waiting) == len(pending):
            raise RuntimeError(f"cannot restore {waiting}: foreign keys form a cycle")
        pending = waiting


class PostgresDatabases:
    def __init__(self, admin_url: str, prefix: str) -> None:
        self.admin_url = admin_url
        self.prefix = prefix
        self._ready: dict[str, str] = {}

    def url(self, name: str) -> str:
        parsed = make_url(self.admin_url).set(
            drivername="postgresql+asyncpg", database=f"{self.prefix}_{name}"
        )
        return parsed.render_as_string(hide_password=False)

    async def fresh(
        self,
        name: str,
        migrations_location: str | None = None,
        metadata: sa.MetaData | None = None,
    ) -> str:
        """The worker's database for `name`, at the newest revision and with every table empty.

        Its schema comes from the service's migrations, or from `metadata` for test-only tables.
        """
        url = self.url(name)
        if name not in self._ready:
            await self._create(f"{self.prefix}_{name}")
            if migrations_location is not None:
                await asyncio.to_thread(migrations.upgrade, migrations_location, url)
            if metadata is not None:
                engine = create_async_engine(url)
                async with engine.begin() as conn:
                    await conn.run_sync(metadata.create_all)
                await engine.dispose()
            await self._snapshot(url)
            self._ready[name] = url
        await self.truncate(url)
        return url

    async def _snapshot(self, url: str) -> None:
        conn = await asyncpg.connect(_dsn(url))
        try:
            await conn.execute(f"CREATE SCHEMA {SNAPSHOT}")
            for table in await _tables(conn):
                if await conn.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{table}")'):
                    await conn.execute(
                        f'CREATE TABLE {SNAPSHOT}."{table}" AS SELECT * FROM public."{table}"'
                    )
        finally:
            await conn.close()

    async def _create(self, database: str) -> None:
        conn = await asyncpg.connect(_dsn(self.admin_url))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{database}"')
        finally:
            await conn.close()

    async def truncate(self, url: str) -> None:
        conn = await asyncpg.connect(_dsn(url))
        try:
            tables = await _tables(conn)
            if tables:
                await conn.execute(f"TRUNCATE {', '.join(map(_quoted, tables))} CASCADE")
            saved = await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = $1", SNAPSHOT
            )
            await _restore(conn, [_quoted(row["tablename"]) for row in saved])
        finally:
            await conn.close()

    async def drop_all(self) -> None:
        conn = await asyncpg.connect(_dsn(self.admin_url))
        try:
            for name in self._ready:
                await conn.execute(f'DROP DATABASE IF EXISTS "{self.prefix}_{name}" WITH (FORCE)')
        finally:
            await conn.close()
        self._ready.clear()
