"""`make backup` and `make restore` on the services' own databases: after a restore the services run
on the data as it was at the backup, and take bookings again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .stack import DESK, SERVICES, FaultStack

pytestmark = [
    pytest.mark.system,
    pytest.mark.postgres,
    pytest.mark.rabbitmq,
    pytest.mark.timeout(420),
]
DATABASES = (*SERVICES, "dashboard")


def _backup_command(stack: FaultStack, *args: str) -> str:
    env = os.environ | {f"{n.upper()}_DATABASE_URL": stack.urls[n] for n in DATABASES}
    done = subprocess.run(
        [sys.executable, "-m", "clinic_embedded.backup", *args],
        env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


async def _sessions(stack: FaultStack, service: str) -> set[str]:
    column = "id" if service == "scheduling" else "session_id"
    return {r[0] for r in await stack.query(service, f"SELECT {column}::text FROM sessions")}


async def test_services_run_on_the_restored_databases_as_they_were_at_the_backup(
    fault_stack: FaultStack, tmp_path: Path
) -> None:
    stack = fault_stack
    stack.urls["dashboard"] = await stack.databases.fresh("dashboard", "dashboard:migrations")
    await stack.start(1)
    early, late = await stack.setup_clinic(2, stock=10)
    assert (await stack.book(early)).status_code == 201
    await stack.settled(1)

    folder = tmp_path / "backup"
    assert _backup_command(stack, "backup", "--to", str(folder)).strip() == str(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["databases"] == list(DATABASES)
    for name in DATABASES:
        assert (folder / f"{name}.dump").stat().st_size > 0

    assert (await stack.book(late)).status_code == 201  # after the backup: the restore undoes it
    await stack.settled(2)
    for process in stack.processes():
        process.stop()
    out = _backup_command(stack, "restore", str(folder))
    assert out.strip() == "restored: " + ", ".join(DATABASES)

    for service in ("scheduling", "inventory", "notifications"):
        assert await _sessions(stack, service) == {early.session_id}, service
    for process in stack.processes():
        process.start()
    for process in stack.processes():
        await process.wait_ready(timeout=120)
    scheduling = stack.url("scheduling")
    shown = await stack.client.get(f"{scheduling}/v1/sessions/{early.session_id}", headers=DESK)
    assert shown.status_code == 200, shown.text
    # The slot booked after the backup is free again, and a booking flows to the others.
    late.session_id = None
    assert (await stack.book(late)).status_code == 201
    await stack.settled(2)
    assert await _sessions(stack, "inventory") == {early.session_id, late.session_id}
