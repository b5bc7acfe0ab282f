"""A PostgreSQL primary and its synchronous streaming standby, of a test's own.

Made with the machine's PostgreSQL 15 binaries (initdb, pg_basebackup, pg_ctl) in a temporary
directory, on free ports, as the `postgres` user when the tests run as root; nothing is
registered under /etc/postgresql. `close` stops both servers and removes their files, whatever
the test did to them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import asyncpg
import pytest

from clinic_testing.helpers import free_port

BIN = Path("/usr/lib/postgresql/15/bin")
STANDBY_NAME = "standby"


class PostgresPair:
    def __init__(self) -> None:
        missing = [
            tool for tool in ("initdb", "pg_basebackup", "pg_ctl") if not (BIN / tool).exists()
        ]
        if missing:
            pytest.fail(
                f"{', '.join(missing)} not in {BIN}: install PostgreSQL 15's server binaries "
                "(`apt-get install -y postgresql-15`, with `create_main_cluster = false` in "
                "/etc/postgresql-common/createcluster.conf first: no server of apt's on 5432)",
                pytrace=False,
            )
        self.root = Path(tempfile.mkdtemp(prefix="clinic-failover-"))
        self.ports = {"primary": free_port(), "standby": free_port()}
        self.primary = "primary"  # which of the two takes writes

    def data(self, name: str) -> Path:
        return self.root / name

    def _as_postgres(self) -> list[str]:
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str, timeout: float = 120) -> None:
        result = subprocess.run(
            [*self._as_postgres(), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.root,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {result.stdout}{result.stderr}")

    def dsn(self, name: str, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.ports[name]}/{database}"

    def service_url(self, database: str) -> str:
        """What a service is given: both hosts, and only the one that takes writes will do."""
        hosts = "&".join(f"host=127.0.0.1:{self.ports[n]}" for n in ("primary", "standby"))
        return f"postgresql+asyncpg://postgres@/{database}?{hosts}&target_session_attrs=read-write"

    async def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        await asyncio.to_thread(self._start_primary)
        await asyncio.to_thread(self._start_standby)
        await self.wait_synchronous()

    async def start_alone(self, *, hba: str | None = None) -> None:
        """The primary only, with no standby to wait for (a throwaway server of a test's own);
        `hba`, when given, replaces its pg_hba.conf (the default trusts every local login)."""
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        await asyncio.to_thread(self._start_primary, standby=False, hba=hba)

    def _start_primary(self, *, standby: bool = True, hba: str | None = None) -> None:
        data = self.data("primary")
        self._run(
            str(BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": self.ports["primary"],
            "unix_socket_directories": f"'{self.root}'",
            "wal_level": "replica",
            "max_wal_senders": 5,
            "hot_standby": "on",
            "max_connections": 100,
            # A commit returns once the standby has flushed it: a failover loses none.
            "synchronous_standby_names": f"'ANY 1 ({STANDBY_NAME})'" if standby else "''",
            "synchronous_commit": "on",
        }
        with (data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        if hba is not None:
            (data / "pg_hba.conf").write_text(hba)
        self._pg_ctl("primary", "start")

    def _start_standby(self) -> None:
        data = self.data("standby")
        self._run(
            str(BIN / "pg_basebackup"),
            "-h", "127.0.0.1", "-p", str(self.ports["primary"]), "-U", "postgres",
            "-D", str(data), "-X", "stream", "-R",
        )  # fmt: skip
        with (data / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"port = {self.ports['standby']}\n")
            # Promoted, it runs alone until another standby joins: it must not wait for one.
            conf.write("synchronous_standby_names = ''\n")
            conf.write(
                f"primary_conninfo = 'host=127.0.0.1 port={self.ports['primary']} "
                f"user=postgres application_name={STANDBY_NAME}'\n"
            )
        self._pg_ctl("standby", "start")

    def _pg_ctl(self, name: str, *args: str) -> None:
        log = self.root / f"{name}.log"
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data(name)), "-l", str(log), "-w", *args)

    async def wait_synchronous(self, timeout: float = 60) -> None:
        conn = await asyncpg.connect(self.dsn("primary"))
        try:
            async with asyncio.timeout(timeout):
                while True:
                    state = await conn.fetchval(
                        "SELECT sync_state FROM pg_stat_replication WHERE application_name = $1",
                        STANDBY_NAME,
                    )
                    if state in ("sync", "quorum"):
                        return
                    await asyncio.sleep(0.2)
        finally:
            await conn.close()

    async def kill_primary(self) -> None:
        """Stop the primary at once: no checkpoint, no goodbye to its clients (a crash)."""
        await asyncio.to_thread(self._pg_ctl, "primary", "stop", "-m", "immediate")

    async def promote_standby(self) -> None:
        await asyncio.to_thread(self._pg_ctl, "standby", "promote")
        self.primary = "standby"

    async def create_database(self, name: str) -> None:
        conn = await asyncpg.connect(self.dsn(self.primary))
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    def close(self) -> None:
        for name in ("standby", "primary"):
            if not (self.data(name) / "postmaster.pid").exists():
                continue
            try:
                self._pg_ctl(name, "stop", "-m", "immediate")
            except (RuntimeError, subprocess.TimeoutExpired):
                self._kill(name)
        shutil.rmtree(self.root, ignore_errors=True)

    def _kill(self, name: str) -> None:
        try:
            pid = int((self.data(name) / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass
