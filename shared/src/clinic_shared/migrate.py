"""Migrate one service's database and exit: `python -m clinic_shared.migrate scheduling`.

What a Kubernetes init container runs before the service starts (the service then runs with
`<SERVICE>_RUN_MIGRATIONS=false`). Replicas starting together are safe: each upgrade holds the
service's advisory lock, so the second finds the schema at head and does nothing.
"""

from __future__ import annotations

import argparse
import os

from clinic_shared import migrations

SERVICES = ("scheduling", "inventory", "notifications", "dashboard")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m clinic_shared.migrate")
    parser.add_argument("service", choices=SERVICES)
    service = parser.parse_args(argv).service
    variable = f"{service.upper()}_DATABASE_URL"
    url = os.environ.get(variable)
    if not url:
        parser.error(f"{variable} is not set")
    migrations.upgrade(f"{service}:migrations", url)


if __name__ == "__main__":
    main()
