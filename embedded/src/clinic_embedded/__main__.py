"""`make run`: scheduling, inventory, notifications and the dashboard in one process.

On its own it runs on SQLite files under var/ and an in-memory bus, seeds the demo clinic (and the
dashboard's demo staff accounts, printed at start) and logs to the terminal. With the services'
*_DATABASE_URL and AMQP_URL set, it runs on PostgreSQL and RabbitMQ.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from typing import Any

import uvicorn
from fastapi import FastAPI

from clinic_shared.logging import configure_logging
from clinic_shared.messaging import InMemoryBus, MessageBus
from clinic_shared.runtime import bus_options
from clinic_shared.serve import uvicorn_config
from clinic_shared.settings import ServiceSettings
from dashboard.bootstrap import build_app as dashboard_app
from dashboard.seed import DEMO_ACCOUNTS
from dashboard.settings import DashboardSettings
from inventory.bootstrap import build_app as inventory_app
from inventory.settings import InventorySettings
from notifications.bootstrap import build_app as notifications_app
from notifications.settings import NotificationsSettings
from scheduling.bootstrap import build_app as scheduling_app
from scheduling.settings import SchedulingSettings

log = logging.getLogger("clinic")


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the runner, which stops them all."""

    def install_signal_handlers(self) -> None:  # uvicorn < 0.29
        return

    def capture_signals(self) -> contextlib.AbstractContextManager[None]:  # type: ignore[override]
        return contextlib.nullcontext()


def _seed() -> bool:
    return os.environ.get("CLINIC_SEED_DEMO_DATA", "true").lower() in {"1", "true", "yes"}


def _settings() -> tuple[SchedulingSettings, InventorySettings, NotificationsSettings]:
    seed = _seed()
    inventory = InventorySettings(seed_demo_data=seed)
    notifications = NotificationsSettings(seed_demo_data=seed)
    peers = {  # a patient's export asks the other two, wherever they listen in this process
        "inventory_url": f"http://{inventory.host}:{inventory.port}",
        "notifications_url": f"http://{notifications.host}:{notifications.port}",
    }
    unset = {k: v for k, v in peers.items() if f"SCHEDULING_{k.upper()}" not in os.environ}
    scheduling = SchedulingSettings(seed_demo_data=seed).model_copy(update=unset)
    return scheduling, inventory, notifications


def _dashboard_settings(*services: ServiceSettings) -> DashboardSettings:
    """The dashboard calls the services on their ports here, unless told other URLs."""
    urls: dict[str, Any] = {
        f"{s.service_name}_url": f"http://127.0.0.1:{s.port}"
        for s in services
        if f"DASHBOARD_{s.service_name.upper()}_URL" not in os.environ
    }
    return DashboardSettings(seed_demo_data=_seed(), **urls)


def _print_demo_accounts(settings: DashboardSettings) -> None:
    """Staff emails are masked in logs, so the demo sign-ins go straight to the terminal."""
    if not settings.seed_demo_data:
        return
    print(f"Dashboard demo accounts (sign in at http://127.0.0.1:{settings.port}):", flush=True)
    for _, email, role, password in DEMO_ACCOUNTS:
        print(f"  {role.value:<14} {email:<30} {password}", flush=True)


async def run() -> int:
    scheduling, inventory, notifications = _settings()
    bus: MessageBus | None = None
    if scheduling.amqp_url is None:
        bus = InMemoryBus(bus_options(scheduling))
    dashboard = _dashboard_settings(scheduling, inventory, notifications)
    apps: list[tuple[ServiceSettings, FastAPI]] = [
        (scheduling, scheduling_app(scheduling, bus)),
        (inventory, inventory_app(inventory, bus)),
        (notifications, notifications_app(notifications, bus)),
        (dashboard, dashboard_app(dashboard)),
    ]
    servers = [_Server(uvicorn_config(app, settings)) for settings, app in apps]
    loop = asyncio.get_running_loop()

    def stop() -> None:
        if not servers[0].should_exit:
            log.info("stopping")
        for server in servers:
            server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)
    for settings, _ in apps:
        backend = "PostgreSQL" if not settings.is_sqlite else "SQLite"
        log.info(
            "%s on http://%s:%d (docs at /docs), %s, %s bus",
            settings.service_name,
            settings.host,
            settings.port,
            backend,
            "RabbitMQ" if bus is None else "in-memory",
        )
    _print_demo_accounts(dashboard)
    tasks = [
        asyncio.create_task(_serve(server, settings.service_name))
        for server, (settings, _) in zip(servers, apps, strict=True)
    ]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        stop()  # one service ending (Ctrl-C, or a failed start) ends them all
        failed = [name for name in await asyncio.gather(*tasks) if name is not None]
    finally:
        if bus is not None:
            await bus.close()
    if failed:
        log.error("could not start: %s; see the errors above", ", ".join(failed))
        return 1
    log.info("stopped")
    return 0


async def _serve(server: uvicorn.Server, name: str) -> str | None:
    """Serve until told to stop; the service's name if it failed to start."""
    try:
        await server.serve()
    except SystemExit:  # uvicorn's way of reporting a failed startup (lifespan, port in use)
        return name
    return None


def main() -> None:
    configure_logging(
        os.environ.get("CLINIC_LOG_LEVEL", "INFO"), os.environ.get("CLINIC_LOG_FORMAT", "text")
    )
    import uvloop

    sys.exit(uvloop.run(run()))


if __name__ == "__main__":
    main()
