"""Real OS processes for fault tests: a private RabbitMQ node and services run as `python -m`.

The machine's RabbitMQ is shared by every test run at once, so a test that stops a broker starts
its own node (own name, ports, data directory and Erlang cookie) and stops only that one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from clinic_shared.tokens import DEVELOPMENT_JWT_SECRET
from clinic_testing.helpers import bearer, free_port


def _rabbitmq_scripts() -> Path | None:
    """The versioned sbin/ of the installed broker: its scripts run as the calling user, where
    /usr/sbin's wrappers switch to `rabbitmq`, which cannot write the test's temporary directory."""
    found = Path("/usr/lib/rabbitmq/lib").glob("rabbitmq_server-*/sbin")
    newest = max(
        found, key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.name)], default=None
    )
    return newest


_SBIN = _rabbitmq_scripts()
RABBITMQ_SERVER = str(_SBIN / "rabbitmq-server") if _SBIN else "rabbitmq-server"
RABBITMQCTL = str(_SBIN / "rabbitmqctl") if _SBIN else "rabbitmqctl"


class RabbitNode:
    """A RabbitMQ node of the test's own, started and stopped with the broker's own tools.

    Nodes given the same `cookie` can be joined into a cluster (`join`); the cookie still differs
    from the machine's node, which no test may reach.
    """

    def __init__(self, directory: Path, *, cookie: str | None = None) -> None:
        self.directory = directory
        self.name = f"faults-{os.getpid()}-{secrets.token_hex(3)}@localhost"
        self.port = free_port()
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/"
        home = directory / "home"
        home.mkdir(parents=True, exist_ok=True)
        cookie_file = home / ".erlang.cookie"
        cookie_file.write_text(cookie or secrets.token_hex(16))
        cookie_file.chmod(0o400)
        (directory / "rabbitmq.conf").write_text(
            f"loopback_users = none\nlisteners.tcp.default = {self.port}\n"
        )
        (directory / "enabled_plugins").write_text("[].\n")
        # The machine's /etc/rabbitmq/rabbitmq-env.conf names its own node: read an empty one.
        (directory / "rabbitmq-env.conf").write_text("")
        for sub in ("mnesia", "log"):
            (directory / sub).mkdir(exist_ok=True)
        self.env = os.environ | {
            "HOME": str(home),
            "RABBITMQ_CONF_ENV_FILE": str(directory / "rabbitmq-env.conf"),
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            # Erlang distribution on loopback only (the node's and its CLI's), as the machine's
            # env file sets it for its own node.
            "ERL_FLAGS": "-kernel inet_dist_use_interface {127,0,0,1}",
            "RABBITMQ_MNESIA_BASE": str(directory / "mnesia"),
            "RABBITMQ_LOG_BASE": str(directory / "log"),
            "RABBITMQ_CONFIG_FILE": str(directory / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(directory / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(directory / "node.pid"),
            "RABBITMQ_FEATURE_FLAGS_FILE": str(directory / "feature_flags"),
            "RABBITMQ_PLUGINS_EXPAND_DIR": str(directory / "plugins-expand"),
            "ERL_CRASH_DUMP": str(directory / "erl_crash.dump"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(directory / "advanced.config"),
        }
        self._process: subprocess.Popen[bytes] | None = None

    def ctl(self, *args: str, timeout: float = 60) -> str:
        """Run `rabbitmqctl -n <this node> ...` and return its output (blocking)."""
        done = subprocess.run(
            [RABBITMQCTL, "-n", self.name, *args],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        return done.stdout.decode()

    def _spawn(self) -> subprocess.Popen[bytes]:
        with (self.directory / "server.out").open("wb") as output:
            return subprocess.Popen(
                [RABBITMQ_SERVER],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    async def start(self) -> None:
        self._process = self._spawn()
        deadline = time.monotonic() + 120
        while True:  # `await_startup` fails at once until the node has registered its name
            try:
                await asyncio.to_thread(self.ctl, "await_startup", "--timeout", "60", timeout=90)
                return
            except subprocess.CalledProcessError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    log = (self.directory / "server.out").read_text()[-3000:]
                    raise AssertionError(
                        f"RabbitMQ node {self.name} did not start: {log}"
                    ) from None
                await asyncio.sleep(0.5)

    async def join(self, other: RabbitNode) -> None:
        """Join `other`'s cluster (this node's data is reset: use it on a fresh node)."""
        await asyncio.to_thread(self.ctl, "stop_app")
        await asyncio.to_thread(self.ctl, "join_cluster", other.name)
        await asyncio.to_thread(self.ctl, "start_app")

    async def stop_app(self) -> None:
        await asyncio.to_thread(self.ctl, "stop_app")

    async def start_app(self) -> None:
        await asyncio.to_thread(self.ctl, "start_app")

    async def kill(self) -> None:
        """SIGKILL the node's process group: it dies as with a machine's power, saying nothing."""
        if self._process is None:
            return
        if self._process.poll() is None:  # not after: its pid may be another process's by then
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
        await asyncio.to_thread(self._process.wait)
        self._process = None

    async def shutdown(self) -> None:
        if self._process is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self.ctl, "shutdown", timeout=60)
        await self.kill()


class ServiceProcess:
    """One replica of a service run as `python -m <module>`, on its own port, logs to a file."""

    def __init__(self, module: str, env: dict[str, str], log_path: Path) -> None:
        self.module = module
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        prefix = module.upper() + "_"
        self.env = os.environ | env | {f"{prefix}PORT": str(self.port)}
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.module],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    async def readiness(self) -> dict[str, Any]:
        """The body of /readyz (its `checks`: asked with a token), or {} while the process
        does not answer."""
        secret = self.env.get("CLINIC_JWT_SECRET", DEVELOPMENT_JWT_SECRET)
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                response = await client.get(self.url + "/readyz", headers=bearer("admin", secret))
        except httpx.HTTPError:
            return {}
        body: dict[str, Any] = response.json()
        return body

    async def wait_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"{self.module} exited: {self.log_path.read_text()[-3000:]}")
            if (await self.readiness()).get("status") == "ready":
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"{self.module} not ready in {timeout}s: {await self.readiness()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as when the machine loses power."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            terminate(self.process)


def terminate(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, so the process shuts down as it would in production; SIGKILL after 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
