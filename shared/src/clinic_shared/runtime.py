"""One service's moving parts, wired in one place: database, bus, outbox relay, consumer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from clinic_shared import migrations, tracing
from clinic_shared.db import Database, utcnow
from clinic_shared.messaging.bus import BusOptions, MessageBus
from clinic_shared.messaging.memory import InMemoryBus
from clinic_shared.metrics import (
    BusCollector,
    PoolCollector,
    ServiceMetrics,
    StateCollector,
    StateGauge,
)
from clinic_shared.outbox import InboxConsumer, OutboxRelay, UnitOfWork
from clinic_shared.outbox.inbox import EventHandler, prune_inbox
from clinic_shared.settings import ServiceSettings

log = logging.getLogger(__name__)

Seeder = Callable[[UnitOfWork], Awaitable[None]]
Worker = Callable[["ServiceRuntime"], Coroutine[Any, Any, None]]
"""A background loop a service runs beside its API (a dispatcher, a daily scan). It must be safe
with several replicas running it at once, and return soon after `runtime.stopping` is set
(wait with `runtime.idle(seconds)`): it is cancelled only if it has not returned within
STOP_GRACE_SECONDS, because cancelling a coroutine in the middle of a database call can leave
the connection unusable."""
STOP_GRACE_SECONDS = 5.0
BROKER_RETRY_SECONDS = 1.0


def bus_options(settings: ServiceSettings) -> BusOptions:
    return BusOptions(
        namespace=settings.amqp_namespace,
        prefetch=settings.consumer_prefetch,
        max_attempts=settings.consumer_max_attempts,
        retry_delay_seconds=settings.consumer_retry_delay_seconds,
        publish_timeout_seconds=settings.publish_timeout_seconds,
        declare_all_queues=settings.amqp_declare_all_queues,
    )


def make_bus(settings: ServiceSettings) -> MessageBus:
    """RabbitMQ when AMQP_URL is set, else an in-memory bus."""
    if settings.amqp_url is None:
        return InMemoryBus(bus_options(settings))
    from clinic_shared.messaging.rabbit import RabbitBus

    return RabbitBus(
        settings.amqp_url.get_secret_value(), bus_options(settings), name=settings.service_name
    )


async def prune_inbox_worker(runtime: ServiceRuntime) -> None:
    """Every `inbox_prune_seconds`, drop inbox rows older than `inbox_retention_seconds`."""
    retention = timedelta(seconds=runtime.settings.inbox_retention_seconds)
    while True:
        try:
            await prune_inbox(runtime.db, runtime.inbox, retention)
        except Exception:
            log.exception("inbox prune failed; trying again later")
        if not await runtime.idle(runtime.settings.inbox_prune_seconds):
            return


@dataclass
class ServiceRuntime:
    """What a service runs besides its HTTP API; its FastAPI lifespan starts and stops it."""

    settings: ServiceSettings
    metadata: sa.MetaData
    migrations_location: str
    handlers: Mapping[str, EventHandler] = field(default_factory=dict)
    bus: MessageBus | None = None
    seed: Seeder | None = None
    workers: Sequence[Worker] = ()
    clock: Callable[[], datetime] = utcnow
    """What time it is for the service's rules; tests replace it to travel in time."""
    metrics: ServiceMetrics = field(default_factory=ServiceMetrics)
    state_gauges: Sequence[StateGauge] = ()
    """Gauges of the service's state, read from its database at each scrape of /metrics."""

    def __post_init__(self) -> None:
        self.name = self.settings.service_name
        self.tracer_provider = tracing.provider_for(self.name)  # None: tracing off
        self._tracer = tracing.tracer_of(self.tracer_provider) if self.tracer_provider else None
        self.db = Database(
            self.settings.database_url,
            pool_size=self.settings.database_pool_size,
            tracer=self._tracer,
        )
        self.outbox = self.metadata.tables["outbox"]
        self.inbox = self.metadata.tables["inbox"]
        self._owns_bus = self.bus is None
        self.message_bus: MessageBus = self.bus or make_bus(self.settings)
        self.relay = OutboxRelay(
            self.db,
            self.outbox,
            self.message_bus,
            batch_size=self.settings.outbox_batch_size,
            poll_seconds=self.settings.outbox_poll_seconds,
            linger_seconds=self.settings.outbox_linger_seconds,
            handoff_seconds=self.settings.outbox_handoff_seconds,
            retention_seconds=self.settings.outbox_retention_seconds,
            metrics=self.metrics,
            tracer=self._tracer,
        )
        self.metrics.registry.register(PoolCollector(lambda: self.db.engine.pool))
        self.metrics.registry.register(BusCollector(lambda: self.message_bus, self.name))
        self._state = StateCollector(self.state_gauges)
        self.metrics.registry.register(self._state)
        self._tasks: list[asyncio.Task[None]] = []
        self._connector: asyncio.Task[None] | None = None
        self.stopping = asyncio.Event()
        self.reports: dict[str, Any] = {}
        """Reports /readyz shows as they are (the last reconciliation's); not checks."""

    async def idle(self, seconds: float) -> bool:
        """Wait `seconds`, or less if the service is stopping; False once it is."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self.stopping.wait()
        return not self.stopping.is_set()

    def uow(self) -> UnitOfWork:
        return UnitOfWork(
            self.db, self.outbox, producer=self.name, on_commit=self.relay.hand_over,
            metrics=self.metrics if self.settings.metrics_enabled else None,
        )  # fmt: skip

    async def migrate(self) -> None:
        await asyncio.to_thread(migrations.upgrade, self.migrations_location, self.db.url)

    async def start(self) -> None:
        if self.settings.run_migrations:
            await self.migrate()
        self.stopping.clear()
        try:
            await self._attach_bus()
        except Exception as exc:
            # The broker may come after the service (a restart of both, an outage): serve the
            # API, report not ready on /readyz, and connect as soon as the broker answers.
            log.warning(
                "broker unreachable at startup; connecting in the background",
                extra={"service": self.name, "error": type(exc).__name__},
            )
            self._connector = asyncio.create_task(
                self._attach_bus_later(), name=f"{self.name}-connect"
            )
        if self.seed is not None and self.settings.seed_demo_data:
            async with self.uow() as uow:
                await self.seed(uow)
        self._tasks.append(
            asyncio.create_task(self.relay.run(self.stopping), name=f"{self.name}-relay")
        )
        for worker in (prune_inbox_worker, *self.workers):
            self._tasks.append(asyncio.create_task(worker(self), name=f"{self.name}-worker"))
        log.info("service started", extra={"service": self.name})

    async def _attach_bus(self) -> None:
        await self.message_bus.connect()
        if self.handlers:
            consumer = InboxConsumer(
                self.name, self.uow, self.inbox, self.handlers,
                metrics=self.metrics, tracer=self._tracer,
            )  # fmt: skip
            await self.message_bus.subscribe(self.name, consumer)

    async def _attach_bus_later(self) -> None:
        while await self.idle(BROKER_RETRY_SECONDS):
            try:
                await self._attach_bus()
            except Exception as exc:
                log.warning(
                    "broker still unreachable", extra={"service": self.name, "error": repr(exc)}
                )
                await self.message_bus.close()
            else:
                log.info("broker connected", extra={"service": self.name})
                return

    async def stop(self) -> None:
        """Let the relay and workers finish what they are doing, then close everything."""
        self.stopping.set()
        if self._connector is not None:
            self._connector.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._connector
            self._connector = None
        self.relay.wake()
        if self._tasks:
            _, late = await asyncio.wait(self._tasks, timeout=STOP_GRACE_SECONDS)
            for task in late:
                log.warning("background task did not stop in time", extra={"task": task.get_name()})
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._tasks.clear()
        if self._owns_bus:
            await self.message_bus.close()
        await self.db.dispose()
        if self.tracer_provider is not None:
            self.tracer_provider.shutdown()  # exports what is left

    async def refresh_metrics(self) -> None:
        """Set the gauges that are read from the database and the broker, before a scrape."""
        with contextlib.suppress(Exception):  # a scrape must answer even when they do not
            await self.relay.pending()
        with contextlib.suppress(Exception):
            async with self.db.session() as session:
                await self._state.refresh(session, self.clock())
        if self.handlers and self.message_bus.health().connected:
            with contextlib.suppress(Exception):
                dead = await self.message_bus.dead_letter_count(self.name)
                self.metrics.dead_letters.labels(self.name).set(dead)

    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        checks: dict[str, Any] = {}
        try:
            await self.db.ping()
            checks["database"] = True
            checks["outbox_pending"] = await self.relay.pending_count()
        except Exception as exc:
            log.warning("readiness: database unreachable", extra={"error": type(exc).__name__})
            checks["database"] = False
        health = self.message_bus.health()
        checks["broker"] = health.connected
        if self.handlers:
            checks["consumer"] = health.consumers.get(self.name, False)
            if health.connected:
                with contextlib.suppress(Exception):
                    checks["dead_letters"] = await self.message_bus.dead_letter_count(self.name)
        relay_alive = bool(self._tasks) and not any(t.done() for t in self._tasks)
        checks["background_tasks"] = relay_alive
        ready = all(v for k, v in checks.items() if isinstance(v, bool))
        return ready, checks | self.reports
