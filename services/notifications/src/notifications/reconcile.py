"""`python -m notifications.reconcile`: reconcile its sessions with scheduling once, now.

Configured as the service is (NOTIFICATIONS_* variables); prints the report as JSON and exits 1
when some drift was left unrepaired. Messages the repairs plan are sent by the service.
"""

from __future__ import annotations

import asyncio
import sys

from clinic_shared.logging import configure_logging
from clinic_shared.reconcile import run_once
from notifications.bootstrap import build_app
from notifications.entrypoints.reconcile import reconciler
from notifications.settings import NotificationsSettings


def main() -> None:
    settings = NotificationsSettings()
    configure_logging(settings.log_level, settings.log_format)
    runtime = build_app(settings).state.runtime
    sys.exit(asyncio.run(run_once(runtime, reconciler)))


if __name__ == "__main__":
    main()
