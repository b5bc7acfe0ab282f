"""Prometheus metrics: one registry per service, served on its own `/metrics`.

`make run` serves four services from one process, so no metric lives in the default global
registry: each service has its own `ServiceMetrics`, and its port shows its own metrics and the
process's. Labels are bounded: route templates (never raw paths), methods, status codes,
consumer names and event types; never an id, a name or a contact.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.pool import QueuePool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = [
    "CONTENT_TYPE_LATEST",
    "BusCollector",
    "HttpMetricsMiddleware",
    "PoolCollector",
    "ServiceMetrics",
    "StateCollector",
    "StateGauge",
]

log = logging.getLogger(__name__)


class ServiceMetrics:
    """The metrics every service has, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = r = CollectorRegistry()
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=r)
        self.http_requests = Counter(
            "clinic_http_requests", "HTTP requests answered.", ["route", "method", "status"],
            registry=r,
        )  # fmt: skip
        self.http_seconds = Histogram(
            "clinic_http_request_duration_seconds", "Time to answer an HTTP request.",
            ["route", "method"], registry=r,
        )  # fmt: skip
        self.outbox_pending = Gauge(
            "clinic_outbox_pending_events", "Outbox rows not yet published.", registry=r
        )
        self.outbox_oldest_seconds = Gauge(
            "clinic_outbox_oldest_pending_age_seconds",
            "Age of the oldest outbox row not yet published (0 when none).",
            registry=r,
        )
        self.outbox_published = Counter(
            "clinic_outbox_published_events", "Events the broker confirmed.", registry=r
        )
        self.outbox_failed = Counter(
            "clinic_outbox_publish_failures", "Publishes that failed; the row is tried again.",
            registry=r,
        )  # fmt: skip
        self.deliveries = Counter(
            "clinic_consumer_deliveries", "Events delivered to a consumer.", ["consumer"],
            registry=r,
        )  # fmt: skip
        self.batches = Counter(
            "clinic_consumer_batches", "Batches of deliveries applied in one transaction.",
            ["consumer"], registry=r,
        )  # fmt: skip
        self.applied = Counter(
            "clinic_consumer_applied_events", "Events applied (their effects committed).",
            ["consumer", "event_type"], registry=r,
        )  # fmt: skip
        self.duplicates = Counter(
            "clinic_consumer_duplicate_events",
            "Redelivered events the inbox recognised and applied no second time.",
            ["consumer"], registry=r,
        )  # fmt: skip
        self.failures = Counter(
            "clinic_consumer_failed_events",
            "Events whose handling failed (retried later, or dead-lettered at the last try).",
            ["consumer", "event_type"], registry=r,
        )  # fmt: skip
        self.handler_seconds = Histogram(
            "clinic_consumer_handler_duration_seconds", "Time to apply one event.",
            ["consumer", "event_type"], registry=r,
        )  # fmt: skip
        self.events_emitted = Counter(
            "clinic_events_emitted",
            "Events committed to the outbox, by type: the service's domain changes (a session "
            "booked, rescheduled, cancelled or completed; a stock shortage...).",
            ["event_type"], registry=r,
        )  # fmt: skip
        self.reconcile_drift = Counter(
            "clinic_reconcile_drift",
            "Sessions whose projection differed from scheduling's facts (outcome `found`), and "
            "those brought in line (`repaired`), by kind of drift.",
            ["kind", "outcome"], registry=r,
        )  # fmt: skip
        self.dead_letters = Gauge(
            "clinic_consumer_dead_letters", "Messages in the consumer's dead-letter queue.",
            ["consumer"], registry=r,
        )  # fmt: skip

    def render(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class PoolCollector(Collector):
    """The database pool's size and checked-out connections, read when scraped."""

    def __init__(self, pool: Callable[[], object]) -> None:
        self._pool = pool

    def collect(self) -> Iterator[GaugeMetricFamily]:
        pool = self._pool()
        if not isinstance(pool, QueuePool):
            return
        yield GaugeMetricFamily("clinic_db_pool_size", "Connections the pool keeps.", pool.size())
        yield GaugeMetricFamily(
            "clinic_db_pool_checked_out", "Connections in use.", pool.checkedout()
        )


class BusCollector(Collector):
    """How often the publisher recovered by itself (issue 16), and how many of the consumer's
    deliveries were sent to a retry or to the dead-letter queue, read from the bus when scraped.
    `make run`'s services share one bus: each reports its own consumer's figures."""

    def __init__(self, bus: Callable[[], object], consumer: str) -> None:
        self._bus = bus
        self._consumer = consumer

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        bus = self._bus()
        attached = GaugeMetricFamily(
            "clinic_consumer_attached",
            "1 while the consumer is subscribed to its queue, else 0.",
            labels=["consumer"],
        )
        health = getattr(bus, "health", None)
        consumers = health().consumers if health is not None else {}
        attached.add_metric([self._consumer], float(consumers.get(self._consumer, False)))
        yield attached
        for name, what in (
            ("channel_reopens", "Publisher channels replaced after nacks or a confirm timeout."),
            ("connection_reopens", "Connections started over when no new channel would open."),
        ):
            yield CounterMetricFamily(f"clinic_bus_{name}", what, getattr(bus, name, 0))
        for name, what in (
            ("retried", "Failed deliveries put back to wait for another try."),
            ("dead_lettered", "Deliveries moved to the dead-letter queue (last try, unreadable)."),
        ):
            family = CounterMetricFamily(f"clinic_consumer_{name}", what, labels=["consumer"])
            counts = getattr(bus, name, {})
            family.add_metric([self._consumer], counts.get(self._consumer, 0))
            yield family


Reading = Mapping[tuple[str, ...], float]
"""A gauge's values by their labels' values, in the order of `StateGauge.labels`."""


@dataclass(frozen=True)
class StateGauge:
    """A gauge of what the service's database holds (vials per product, messages due), read by
    one of its repository functions at each scrape: no use case keeps it up to date.

    Every replica reads the same database and reports the same value: aggregate with `max`.
    """

    name: str
    documentation: str
    labels: tuple[str, ...]
    read: Callable[[AsyncSession, datetime], Awaitable[Reading]]


class StateCollector(Collector):
    """Serves the state gauges as last read; `refresh` reads them again (before a scrape)."""

    def __init__(self, gauges: Sequence[StateGauge]) -> None:
        self._gauges = tuple(gauges)
        self._readings: dict[str, Reading] = {}

    async def refresh(self, session: AsyncSession, now: datetime) -> None:
        for gauge in self._gauges:
            try:
                self._readings[gauge.name] = await gauge.read(session, now)
            except Exception:  # the scrape answers; the gauge is absent until it reads again
                log.warning("state gauge not read", extra={"gauge": gauge.name}, exc_info=True)
                self._readings.pop(gauge.name, None)
                await session.rollback()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        for gauge in self._gauges:
            if (reading := self._readings.get(gauge.name)) is None:
                continue
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=gauge.labels)
            for labels, value in sorted(reading.items()):
                family.add_metric(labels, value)
            yield family


class HttpMetricsMiddleware:
    """Count each request and time it, by route template; an unmatched path counts as one."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began, status = time.perf_counter(), 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route, method = _route_of(scope), scope["method"]
            self.metrics.http_requests.labels(route, method, str(status)).inc()
            self.metrics.http_seconds.labels(route, method).observe(time.perf_counter() - began)


def _route_of(scope: Scope) -> str:
    """The template of the route that answered (`/v1/patients/{patient_id}`), else "unmatched"."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    router = scope.get("router")  # a 405 or a 404 leaves no route in the scope: find the template
    for candidate in getattr(router, "routes", ()):
        if candidate.matches(scope)[0] is not Match.NONE:
            return str(getattr(candidate, "path", "unmatched"))
    return "unmatched"


async def metrics_endpoint(request: Request) -> Response:
    """Prometheus metrics of this service (no token: see SECURITY.md)."""
    refresh = getattr(request.app.state.runtime, "refresh_metrics", None)
    if refresh is not None:
        await refresh()
    metrics: ServiceMetrics = request.app.state.metrics
    return metrics.render()
