"""GNU Health 5.0 (Tryton 7.0), the peer of bench/peer.py: its venv, database, server and client.

The venv (`bench/.peer-venv`, outside the uv workspace, git-ignored) is kept for the next run and
rebuilt when `bench/peer-requirements.txt` changes. The database is a scratch one of the caller's;
the server's configuration lives in a temporary folder removed on the way out. Every setting that
differs from Tryton's defaults is in `settings()` and written down in bench/README.md.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from common import ADMIN_DSN, BENCH_DIR, CPUS, RESULTS, Server, free_port

VENV = BENCH_DIR / ".peer-venv"
REQUIREMENTS = BENCH_DIR / "peer-requirements.txt"
PASSWORD = "bench-admin"  # the scratch database's admin, on loopback
# Werkzeug logs every request at INFO by itself; WARNING silences that. The pool's logger stays
# at INFO: it says "waiting a connection" before each 1 s sleep on an exhausted pool.
POOL_LOGGER = "trytond.backend.postgresql.database"
POOL_WAIT = b"waiting a connection"
LOGGING = f"""[formatters]
keys=plain
[handlers]
keys=stderr
[loggers]
keys=root,werkzeug,pool
[formatter_plain]
format=%(asctime)s %(levelname)s %(name)s %(message)s
[handler_stderr]
class=StreamHandler
formatter=plain
args=(sys.stderr,)
[logger_root]
level=WARNING
handlers=stderr
[logger_werkzeug]
level=WARNING
handlers=
qualname=werkzeug
[logger_pool]
level=INFO
handlers=
qualname={POOL_LOGGER}
"""


async def _run(*argv: str | Path, log: Path, env: dict[str, str] | None = None) -> None:
    """Run a setup command on both cores (it is not measured), its output in `log`."""
    with log.open("ab") as out:
        process = await asyncio.create_subprocess_exec(
            *argv, stdout=out, stderr=out, env=os.environ | (env or {})
        )
        os.sched_setaffinity(process.pid, set(CPUS))
        if await process.wait() != 0:
            raise RuntimeError(f"{Path(argv[0]).name} failed; see {log}")


async def ensure_venv() -> Path:
    """The peer's venv, installed from the pinned requirements unless it already has them."""
    stamp = VENV / ".requirements"
    wanted = REQUIREMENTS.read_text()
    if stamp.exists() and stamp.read_text() == wanted:
        return VENV / "bin"
    RESULTS.mkdir(exist_ok=True)
    log = RESULTS / "peer-install.log"
    shutil.rmtree(VENV, ignore_errors=True)
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    if uv := shutil.which("uv"):
        await _run(uv, "venv", "--python", python, VENV, log=log)
        await _run(
            uv, "pip", "install", "--python", VENV / "bin/python", "-r", REQUIREMENTS, log=log
        )
    else:
        await _run(sys.executable, "-m", "venv", VENV, log=log)
        await _run(VENV / "bin/python", "-m", "pip", "install", "-r", REQUIREMENTS, log=log)
    stamp.write_text(wanted)
    return VENV / "bin"


def settings(port: int, folder: Path) -> str:
    """trytond.conf: the local PostgreSQL, a free port, a pool of 32 connections."""
    server = ADMIN_DSN.rsplit("/", 1)[0] + "/"
    return (
        f"[database]\nuri = {server}\nmaxconn = 32\npath = {folder / 'filestore'}\n"
        f"[web]\nlisten = 127.0.0.1:{port}\n"
    )


class Tryton(Server):
    """trytond's own server (Werkzeug, a thread per connection) on the server core."""

    async def ready(self, client: httpx.AsyncClient) -> bool:
        body = {"id": 0, "method": "common.server.version", "params": []}
        return (await client.post("/", json=body)).status_code == 200

    def pool_waits(self) -> int:
        """How many times a request has waited 1 s for a connection of the pool so far."""
        return self.log.read_bytes().count(POOL_WAIT)


@contextlib.asynccontextmanager
async def gnuhealth(database: str) -> AsyncIterator[Tryton]:
    """The health module activated in `database` (an empty one), and trytond serving it."""
    bin_dir = await ensure_venv()
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as name:
        folder = Path(name)
        port = free_port()
        (folder / "trytond.conf").write_text(settings(port, folder))
        (folder / "logging.conf").write_text(LOGGING)
        (folder / "password").write_text(PASSWORD)
        config = str(folder / "trytond.conf")
        await _run(
            bin_dir / "trytond-admin", "-c", config, "-d", database, "--all",
            "-u", "health", "--activate-dependencies", "--email", "admin@example.com",
            log=RESULTS / "peer-admin.log", env={"TRYTONPASSFILE": str(folder / "password")},
        )  # fmt: skip
        argv = [str(bin_dir / "trytond"), "-c", config, "--logconf", str(folder / "logging.conf")]
        server = Tryton("gnuhealth", [*argv, "-d", database], {}, port, RESULTS / "gnuhealth.log")
        try:
            await server.start(within=180)
            yield server
        finally:
            server.stop()


def when(moment: datetime) -> dict[str, Any]:
    """A datetime as Tryton's JSON-RPC carries it: naive, in UTC."""
    return {
        "__class__": "datetime",
        **{k: getattr(moment, k) for k in ("year", "month", "day", "hour", "minute", "second")},
        "microsecond": 0,
    }


class Client:
    """Tryton's JSON-RPC as its desktop client speaks it: one session, the user's context."""

    def __init__(self, server: Server, database: str) -> None:
        self.http = httpx.AsyncClient(base_url=server.url, timeout=60)
        self.path = f"/{database}/"
        self.headers: dict[str, str] = {}
        self.context: dict[str, Any] = {}
        self.ids = itertools.count(1)

    async def call(self, method: str, *params: Any) -> Any:
        body = {"id": next(self.ids), "method": method, "params": list(params)}
        answer = await self.http.post(self.path, json=body, headers=self.headers)
        found = answer.raise_for_status().json()
        if found.get("error"):
            raise RuntimeError(f"{method}: {found['error']}")
        return found["result"]

    async def login(self) -> str:
        """Log in as admin; the Authorization header every later call carries."""
        user, session = await self.call("common.db.login", "admin", {"password": PASSWORD}, "en")
        token = base64.b64encode(f"admin:{user}:{session}".encode()).decode()
        self.headers = {"Authorization": f"Session {token}"}
        self.context = await self.call("model.res.user.get_preferences", True, {})
        return f"Authorization: Session {token}"

    async def create(self, model: str, values: dict[str, Any]) -> int:
        created: list[int] = await self.call(f"model.{model}.create", [values], self.context)
        return created[0]

    async def close(self) -> None:
        await self.http.aclose()
