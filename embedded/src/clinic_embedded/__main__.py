"""`make run`: scheduling, inventory and notifications in one process, one port each.

On its own it runs on SQLite files under var/ and an in-memory bus, seeds the demo clinic and
logs to the terminal. With the services' *_DATABASE_URL and AMQP_URL set, it runs on PostgreSQL
and RabbitMQ.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys

import uvicorn
from fastapi import FastAPI

from clinic_shared.logging import configure_logging
from clinic_shared.messaging import InMemoryBus, MessageBus
from clinic_shared.runtime import bus_options
from clinic_shared.serve import uvicorn_config
from clinic_shared.settings import ServiceSettings
from inventory.bootstrap import build_app as inventory_app
from inventory.settings import InventorySettings
from notifications.bootstrap import build_app as notifications_app
from notifications.settings import NotificationsSettings
from scheduling.bootstrap import build_app as scheduling_app
from scheduling.settings import SchedulingSettings

log = logging.getLogger("clinic")


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the runner, which stops all three."""

    def install_signal_handlers(self) -> None:  # uvicorn < 0.29
        return

    def capture_signals(self) -> contextlib.AbstractContextManager[None]:  # type: ignore[override]
        return contextlib.nullcontext()


def _settings() -> tuple[SchedulingSettings, InventorySettings, NotificationsSettings]:
    seed = os.environ.get("CLINIC_SEED_DEMO_DATA", "true").lower() in {"1", "true", "yes"}
    inventory = InventorySettings(seed_demo_data=seed)
    notifications = NotificationsSettings(seed_demo_data=seed)
    peers = {  # a patient's export asks the other two, wherever they listen in this process
        "inventory_url": f"http://{inventory.host}:{inventory.port}",
        "notifications_url": f"http://{notifications.host}:{notifications.port}",
    }
    unset = {k: v for k, v in peers.items() if f"SCHEDULING_{k.upper()}" not in os.environ}
    scheduling = SchedulingSettings(seed_demo_data=seed).model_copy(update=unset)
    return scheduling, inventory, notifications


async def run() -> int:
    scheduling, inventory, notifications = _settings()
    bus: MessageBus | None = None
    if scheduling.amqp_url is None:
        bus = InMemoryBus(bus_options(scheduling))
    apps: list[tuple[ServiceSettings, FastAPI]] = [
        (scheduling, scheduling_app(scheduling, bus)),
        (inventory, inventory_app(inventory, bus)),
        (notifications, notifications_app(notifications, bus)),
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
