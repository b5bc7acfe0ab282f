"""`python -m inventory.reconcile`: reconcile inventory's sessions with scheduling once, now.

Configured as the service is (INVENTORY_* variables); prints the report as JSON and exits 1 when
some drift was left unrepaired. Events the repairs emit wait in the outbox for the service's relay.
"""

from __future__ import annotations

import asyncio
import sys

from clinic_shared.logging import configure_logging
from clinic_shared.reconcile import run_once
from inventory.bootstrap import build_app
from inventory.entrypoints.reconcile import reconciler
from inventory.settings import InventorySettings


def main() -> None:
    settings = InventorySettings()
    configure_logging(settings.log_level, settings.log_format)
    runtime = build_app(settings).state.runtime
    sys.exit(asyncio.run(run_once(runtime, reconciler)))


if __name__ == "__main__":
    main()
