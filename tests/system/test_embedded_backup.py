"""`make backup` and `make restore` on `make run`'s embedded PostgreSQL under var/, started for the
command when `make run` is not running."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from clinic_embedded import postgres

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]
DATABASES = ("scheduling", "inventory", "notifications", "dashboard")


def _command(var: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-m", "clinic_embedded.backup", *args],
        env=env | {"CLINIC_VAR_DIR": str(var)},
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip


async def _on(server: postgres.EmbeddedPostgres, sql: str) -> list[str]:
    """Run `sql` on the embedded scheduling database; the first column of what it returns."""
    conn = await asyncpg.connect(
        host=str(server.socket_dir), port=postgres.PORT, user="postgres", database="scheduling"
    )
    try:
        if not sql.startswith("SELECT"):
            await conn.execute(sql)
            return []
        return [r[0] for r in await conn.fetch(sql)]
    finally:
        await conn.close()


def test_a_restore_puts_back_the_embedded_databases_as_they_were_at_the_backup(
    tmp_path: Path,
) -> None:
    var = tmp_path / "var"
    with postgres.running(var) as server:  # what a first `make run` leaves: the four databases
        asyncio.run(server.create_databases(DATABASES))
        asyncio.run(_on(server, "CREATE TABLE notes AS SELECT 'kept' AS text"))

    backup = _command(var, "backup", "--to", str(tmp_path / "backup"))
    assert backup.returncode == 0, backup.stderr
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["databases"] == list(DATABASES)

    with postgres.running(var) as server:  # as under a `make run`: a restore is refused
        asyncio.run(_on(server, "UPDATE notes SET text = 'changed after the backup'"))
        refused = _command(var, "restore", str(tmp_path / "backup"))
    assert refused.returncode != 0
    assert "another `make run` is using" in refused.stderr

    restored = _command(var, "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.strip() == "restored: " + ", ".join(DATABASES)
    with postgres.running(var) as server:
        assert asyncio.run(_on(server, "SELECT text FROM notes")) == ["kept"]
