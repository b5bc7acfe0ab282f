"""`python -m clinic_shared.migrate`: what a Kubernetes init container runs before each replica."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import asyncpg
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from clinic_shared.migrations import alembic_config
from clinic_testing.postgres import PostgresDatabases

pytestmark = pytest.mark.postgres


async def _migrate(url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INVENTORY_DATABASE_URL": url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "clinic_shared.migrate", "inventory",
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=90)
    assert process.returncode is not None
    return subprocess.CompletedProcess([], process.returncode, out.decode(), err.decode())


async def test_three_replicas_migrating_at_once_leave_the_schema_at_head(
    postgres_databases: PostgresDatabases,
) -> None:
    url = await postgres_databases.fresh("migrate_command", metadata=sa.MetaData())
    results = await asyncio.gather(*(_migrate(url) for _ in range(3)))
    for result in results:
        assert result.returncode == 0, result.stderr
    head = ScriptDirectory.from_config(
        alembic_config("inventory:migrations", url)
    ).get_current_head()
    conn = await asyncpg.connect(make_url(url).set(drivername="postgresql").render_as_string(False))
    try:
        assert await conn.fetchval("SELECT version_num FROM alembic_version") == head
    finally:
        await conn.close()


def test_without_the_database_url_it_says_which_variable_is_missing() -> None:
    env = {k: v for k, v in os.environ.items() if k != "INVENTORY_DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "clinic_shared.migrate", "inventory"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "INVENTORY_DATABASE_URL is not set" in result.stderr
