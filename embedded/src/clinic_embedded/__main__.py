"""`make run`: scheduling, inventory, notifications and the dashboard in one process.

On its own it runs on an embedded PostgreSQL server with its data under var/ (one database per
service and one for the dashboard) and an in-memory bus, seeds the demo clinic (and the
dashboard's demo staff accounts, printed at start) and logs to the terminal. A service whose
*_DATABASE_URL is set uses that database instead, and with AMQP_URL set the bus is RabbitMQ.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from clinic_embedded import postgres
from clinic_shared.logging import configure_logging
from clinic_shared.messaging import InMemoryBus, MessageBus
from clinic_shared.runtime import bus_options
from clinic_shared.serve import listening_sockets, uvicorn_config
from clinic_shared.settings import ServiceSettings
from dashboard.bootstrap import build_app as dashboard_app
from dashboard.seed import DEMO_ACCOUNTS
from dashboard.settings import DashboardSettings
from inventory.bootstrap import build_app as inventory_app
from inventory.settings import InventorySettings
from notifications.bootstrap import build_app as notifications_app
from notifications.settings import NotificationsSettings
from scheduling.bootstrap import build_app as scheduling_app
from scheduling.seed import UNDELIVERABLE
from scheduling.settings import SchedulingSettings

log = logging.getLogger("clinic")
SERVED = ("scheduling", "inventory", "notifications", "dashboard")


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the runner, which stops them all."""

    def install_signal_handlers(self) -> None:  # uvicorn < 0.29
        return

    def capture_signals(self) -> contextlib.AbstractContextManager[None]:  # type: ignore[override]
        return contextlib.nullcontext()


def _seed() -> bool:
    return os.environ.get("CLINIC_SEED_DEMO_DATA", "true").lower() in {"1", "true", "yes"}


def _unset(prefix: str, values: dict[str, Any]) -> dict[str, Any]:
    """The values whose variable (`<prefix>_<NAME>`) the environment does not set."""
    return {k: v for k, v in values.items() if f"{prefix}_{k.upper()}" not in os.environ}


def _settings(
    databases: dict[str, str],
) -> tuple[SchedulingSettings, InventorySettings, NotificationsSettings]:
    """Each service's settings; `databases` are the embedded server's URLs of those whose
    *_DATABASE_URL is unset."""
    seed = _seed()
    # The living demo clinic: busy today and this week, with a patient whose SMS fails.
    living = {"seed_living_clinic": seed} if seed else {}
    inventory = InventorySettings(
        seed_demo_data=seed, **_unset("INVENTORY", living), **_embedded(databases, "inventory")
    )
    undeliverable = {"local_undeliverable_numbers": frozenset({UNDELIVERABLE})} if seed else {}
    notifications = NotificationsSettings(
        seed_demo_data=seed,
        **_unset("NOTIFICATIONS", undeliverable),
        **_embedded(databases, "notifications"),
    )
    peers = {  # a patient's export asks the other two, wherever they listen in this process
        "inventory_url": f"http://{inventory.host}:{inventory.port}",
        "notifications_url": f"http://{notifications.host}:{notifications.port}",
    }
    scheduling = SchedulingSettings(
        seed_demo_data=seed, **_unset("SCHEDULING", living), **_embedded(databases, "scheduling")
    ).model_copy(update=_unset("SCHEDULING", peers))
    # Inventory and notifications read scheduling's sessions (reconciliation, treatments) here
    # too: never a scheduling left on the default port, or another `make run`'s.
    owner = {"scheduling_url": f"http://{scheduling.host}:{scheduling.port}"}
    inventory = inventory.model_copy(update=_unset("INVENTORY", owner))
    notifications = notifications.model_copy(update=_unset("NOTIFICATIONS", owner))
    return scheduling, inventory, notifications


def _embedded(databases: dict[str, str], service: str) -> dict[str, Any]:
    return {"database_url": databases[service]} if service in databases else {}


def _dashboard_settings(databases: dict[str, str], *services: ServiceSettings) -> DashboardSettings:
    """The dashboard calls the services on their ports here, unless told other URLs."""
    urls = {f"{s.service_name}_url": f"http://127.0.0.1:{s.port}" for s in services}
    return DashboardSettings(
        seed_demo_data=_seed(), **_unset("DASHBOARD", urls), **_embedded(databases, "dashboard")
    )


def _print_demo_accounts(settings: DashboardSettings) -> None:
    """Staff emails are masked in logs, so the demo sign-ins go straight to the terminal."""
    if not settings.seed_demo_data:
        return
    print(f"Dashboard demo accounts (sign in at http://127.0.0.1:{settings.port}):", flush=True)
    for _, email, role, password in DEMO_ACCOUNTS:
        print(f"  {role.value:<14} {email:<30} {password}", flush=True)


async def run(databases: dict[str, str]) -> int:
    scheduling, inventory, notifications = _settings(databases)
    bus: MessageBus | None = None
    if scheduling.amqp_url is None:
        bus = InMemoryBus(bus_options(scheduling))
    dashboard = _dashboard_settings(databases, scheduling, inventory, notifications)
    # Patients' links in the local outbox open this dashboard, wherever it listens.
    link_base = {"patient_link_base_url": f"http://127.0.0.1:{dashboard.port}"}
    notifications = notifications.model_copy(update=_unset("NOTIFICATIONS", link_base))
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
        where = "embedded" if settings.service_name in databases else "external"
        log.info(
            "%s on http://%s:%d (docs at /docs), %s PostgreSQL, %s bus",
            settings.service_name,
            settings.host,
            settings.port,
            where,
            "RabbitMQ" if bus is None else "in-memory",
        )
    _print_demo_accounts(dashboard)
    tasks = [
        asyncio.create_task(_serve(server, settings))
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


async def _serve(server: uvicorn.Server, settings: ServiceSettings) -> str | None:
    """Serve until told to stop; the service's name if it failed to start."""
    try:
        if settings.metrics_port is None:
            await server.serve()
        else:
            await server.serve(sockets=listening_sockets(server.config, settings))
    except SystemExit:  # uvicorn's way of reporting a failed startup (lifespan, port in use)
        return settings.service_name
    except OSError as exc:  # the metrics port, bound here, in use
        log.error("%s: %s", settings.service_name, exc)
        return settings.service_name
    return None


def main() -> None:
    configure_logging(
        os.environ.get("CLINIC_LOG_LEVEL", "INFO"), os.environ.get("CLINIC_LOG_FORMAT", "text")
    )
    # A quiet terminal: each service says once where it listens (`run`), so uvicorn's own
    # start and stop lines, four of each, are left out; its warnings and errors still show.
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    import uvloop

    embedded = [name for name in SERVED if f"{name.upper()}_DATABASE_URL" not in os.environ]
    var = Path(os.environ.get("CLINIC_VAR_DIR", "var"))
    with contextlib.ExitStack() as stack:
        databases: dict[str, str] = {}
        if embedded:
            try:
                server = stack.enter_context(postgres.running(var))
            except postgres.AlreadyRunning as exc:
                log.error("%s", exc)
                sys.exit(1)
            uvloop.run(server.create_databases(embedded))
            databases = {name: server.url(name) for name in embedded}
            log.info("embedded PostgreSQL in %s, socket in %s", server.data, server.socket_dir)
        code = uvloop.run(run(databases))
    sys.exit(code)


if __name__ == "__main__":
    main()
