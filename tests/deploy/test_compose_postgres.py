"""docker-compose.yml's PostgreSQL roles, for real: deploy/compose/postgres-init.sh run as the
postgres image runs it, on a throwaway server of the test's own that asks every role but the
superuser for its password. Each service's role owns its database and nothing else: it creates
tables there, runs its service's migrations there, cannot connect to another service's database,
and is no superuser.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import asyncpg
import pytest

from tests.faults.postgres_pair import PostgresPair

REPO_ROOT = Path(__file__).resolve().parents[2]
INIT_SCRIPT = REPO_ROOT / "deploy" / "compose" / "postgres-init.sh"
SERVICES = ("scheduling", "inventory", "notifications", "dashboard")
# The postgres image's own rule for TCP logins, with the superuser trusted from loopback (the test
# plays the image's entrypoint, which runs the init script as the superuser).
HBA = """\
local all all trust
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
"""


class Cluster:
    def __init__(self, pair: PostgresPair) -> None:
        self.pair = pair
        self.port = pair.ports["primary"]
        # Quotes and a backslash: the script must pass them to PostgreSQL as they are.
        self.passwords = {s: f"{secrets.token_urlsafe(12)}'\"\\{s}" for s in SERVICES}

    async def connect(
        self, role: str, database: str, password: str | None = None
    ) -> asyncpg.Connection:
        return await asyncpg.connect(
            host="127.0.0.1",
            port=self.port,
            user=role,
            database=database,
            password=self.passwords.get(role) if password is None else password,
        )


@pytest.fixture
async def cluster() -> AsyncIterator[Cluster]:
    pair = PostgresPair()
    try:
        await pair.start_alone(hba=HBA)
        cluster = Cluster(pair)
        env = {
            **os.environ,
            "PGHOST": "127.0.0.1",
            "PGPORT": str(cluster.port),
            "POSTGRES_USER": "postgres",
            "POSTGRES_DB": "postgres",
            **{f"{s.upper()}_DB_PASSWORD": p for s, p in cluster.passwords.items()},
        }
        result = await asyncio.to_thread(
            subprocess.run,
            ["bash", str(INIT_SCRIPT)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        yield cluster
    finally:
        pair.close()


async def test_each_role_owns_its_database_and_nothing_else(cluster: Cluster) -> None:
    for service in SERVICES:
        conn = await cluster.connect(service, service)
        try:
            await conn.execute("CREATE TABLE probe (id int PRIMARY KEY)")
            await conn.execute("INSERT INTO probe VALUES (1)")
            assert await conn.fetchval("SELECT count(*) FROM probe") == 1
            role = await conn.fetchrow(
                "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls "
                "FROM pg_roles WHERE rolname = current_user"
            )
            assert not any(role.values()), f"{service}: {dict(role)}"
            owner = await conn.fetchval(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", service
            )
            assert owner == service
            # No role of its own to hand out: another service's is out of reach that way too.
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(f'GRANT "{service}" TO "{_other(service)}"')
        finally:
            await conn.close()
        for other in (*(s for s in SERVICES if s != service), "postgres", "template1"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                await cluster.connect(service, other)


async def test_each_role_needs_its_own_password(cluster: Cluster) -> None:
    for service in SERVICES:
        with pytest.raises(asyncpg.InvalidPasswordError):
            await cluster.connect(service, service, password=cluster.passwords[_other(service)])


async def test_each_service_migrates_its_database_as_its_own_role(cluster: Cluster) -> None:
    """What a service does on start (or a Kubernetes init container before it): its Alembic
    migrations, as its role, which owns what they create."""
    for service in SERVICES:
        url = (
            f"postgresql+asyncpg://{service}:{_quote(cluster.passwords[service])}"
            f"@127.0.0.1:{cluster.port}/{service}"
        )
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "clinic_shared.migrate", service],
            env={**os.environ, f"{service.upper()}_DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, f"{service}: {result.stdout}{result.stderr}"
        conn = await cluster.connect(service, service)
        try:
            assert await conn.fetchval("SELECT version_num FROM alembic_version")
            owners = await conn.fetch(
                "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
            )
            assert [row["tableowner"] for row in owners] == [service]
        finally:
            await conn.close()


def _other(service: str) -> str:
    return SERVICES[(SERVICES.index(service) + 1) % len(SERVICES)]


def _quote(password: str) -> str:
    return quote(password, safe="")
