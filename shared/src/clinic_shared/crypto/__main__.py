"""`python -m clinic_shared.crypto rotate --service scheduling`: re-seal a service's rows under
the active data key and refresh its blind indexes; `python -m clinic_shared.crypto new-key` prints
a new key.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic_shared.crypto.keyring import Keyring, install, new_key
from clinic_shared.crypto.rows import reseal, sealed_tables
from clinic_shared.db import create_engine

SERVICES = ("scheduling", "notifications", "inventory")


async def rotate(url: str, metadata: sa.MetaData) -> dict[str, int]:
    """Re-seal every sealed table of `metadata` at `url`; rows changed per table."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            return await conn.run_sync(_rotate_all, metadata)
    finally:
        await engine.dispose()


def _rotate_all(conn: Connection, metadata: sa.MetaData) -> dict[str, int]:
    return {spec.name: reseal(conn, spec) for spec in sealed_tables(metadata)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    rotating = commands.add_parser(
        "rotate", help="re-seal rows under the first CLINIC_DATA_KEYS key"
    )
    rotating.add_argument("--service", choices=SERVICES, required=True)
    rotating.add_argument("--database-url", help="default: <SERVICE>_DATABASE_URL")
    commands.add_parser("new-key", help="print a random base64 key")
    args = parser.parse_args()
    if args.command == "new-key":
        print(new_key())
        return
    url = args.database_url or os.environ[f"{args.service.upper()}_DATABASE_URL"]
    install(Keyring.from_env())
    metadata = importlib.import_module(f"{args.service}.adapters.orm").metadata
    for table, count in asyncio.run(rotate(url, metadata)).items():
        print(f"{table}: {count} rows re-sealed")


if __name__ == "__main__":
    main()
