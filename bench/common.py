"""What every section of `make bench` shares: scratch databases, servers pinned to a core, RSS."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from clinic_testing.plugin import RabbitNamespace
from clinic_testing.processes import terminate

ADMIN_DSN = os.environ.get("BENCH_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results"
CPUS = sorted(os.sched_getaffinity(0))
# Servers on the first core, the load generator (and this process) on the last one.
SERVER_CORES = {CPUS[0]}
CLIENT_CORES = {CPUS[-1]}


def pin_self() -> None:
    os.sched_setaffinity(0, CLIENT_CORES)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def dsn_of(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://")


@contextlib.asynccontextmanager
async def scratch_databases(*labels: str) -> AsyncIterator[dict[str, str]]:
    """New empty databases, dropped afterwards; yields their SQLAlchemy URLs by label."""
    names = {label: f"bench_{label}_{uuid.uuid4().hex[:8]}" for label in labels}
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        for name in names.values():
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        yield {label: f"{base}/{name}" for label, name in names.items()}
    finally:
        conn = await asyncpg.connect(ADMIN_DSN)
        for name in names.values():
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


@contextlib.asynccontextmanager
async def rabbit_namespace() -> AsyncIterator[str]:
    namespace = RabbitNamespace()
    namespace.url = AMQP_URL
    try:
        yield namespace.prefix
    finally:
        await namespace.cleanup()


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc/<pid>/status (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """A real uvicorn process (1 worker, uvloop + httptools) pinned to the server core."""

    name: str
    argv: list[str]
    env: dict[str, str]
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None
    memory: dict[str, float] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def ready(self, client: httpx.AsyncClient) -> bool:
        """Whether the server answers; the product's services say so on /readyz."""
        return (await client.get("/readyz")).status_code == 200

    async def start(self, within: float = 60) -> None:
        RESULTS.mkdir(exist_ok=True)
        out = self.log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603, ASYNC220 - ours; Popen does not wait
            self.argv, env=os.environ | self.env, stdout=out, stderr=subprocess.STDOUT
        )
        os.sched_setaffinity(self.process.pid, SERVER_CORES)
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(base_url=self.url) as client:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited; see {self.log}")
                with contextlib.suppress(httpx.HTTPError):
                    if await self.ready(client):
                        return
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.name} not ready in {within}s; see {self.log}")
                await asyncio.sleep(0.2)

    def sample_memory(self, label: str) -> float:
        assert self.process is not None
        self.memory[label] = rss_mb(self.process.pid)
        return self.memory[label]

    def cpu(self) -> float:
        assert self.process is not None
        return cpu_seconds(self.process.pid)

    def stop(self) -> None:
        if self.process is not None:
            terminate(self.process)


def service(name: str, database_url: str, namespace: str, **extra: str) -> Server:
    """One of the product's services, started as its container starts it: `python -m <name>`."""
    port = free_port()
    prefix = name.upper()
    env = {
        f"{prefix}_DATABASE_URL": database_url,
        f"{prefix}_PORT": str(port),
        f"{prefix}_HOST": "127.0.0.1",
        "AMQP_URL": AMQP_URL,
        "AMQP_NAMESPACE": namespace,
        "CLINIC_ENV": "development",
    } | {f"{prefix}_{k.upper()}": v for k, v in extra.items()}
    return Server(name, [sys.executable, "-m", name], env, port, RESULTS / f"{name}.log")


@contextlib.asynccontextmanager
async def servers(*items: Server) -> AsyncIterator[Sequence[Server]]:
    try:
        for item in items:
            await item.start()
        yield items
    finally:
        for item in items:
            item.stop()


async def run_json(script: str, *args: str, cores: set[int] = CLIENT_CORES) -> dict[str, Any]:
    """Run one of the bench's helper programs pinned to `cores`; its JSON answer."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(BENCH_DIR / script), *args, stdout=asyncio.subprocess.PIPE
    )
    os.sched_setaffinity(process.pid, cores)
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{script} failed ({process.returncode})")
    result: dict[str, Any] = json.loads(out)
    return result


async def run_loadgen(*args: str) -> dict[str, Any]:
    """The load generator (bench/loadgen.py) on the client core."""
    return await run_json("loadgen.py", *args)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")
