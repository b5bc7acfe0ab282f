"""Three small services over a RabbitMQ cluster, each the shared bus with the real outbox, relay
and inbox on its own PostgreSQL database. Scheduling registers patients, which inventory and
notifications apply; inventory answers each with a reservation, and notifications sends
patients' confirmations of their own accord, both to scheduling. So two services publish of
their own accord, as in production, and each consumer has traffic.

Each handler writes an `effects` row without any unique key: only the inbox stands between a
redelivered event and a second effect, so a duplicate shows as two rows."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from clinic_shared.contracts import Envelope, Event
from clinic_shared.contracts.events import (
    PatientRegistered,
    SessionConfirmedByPatient,
    StockReserved,
)
from clinic_shared.db import Database, utcnow
from clinic_shared.messaging import BusOptions
from clinic_shared.messaging.rabbit import RabbitBus
from clinic_shared.outbox import InboxConsumer, OutboxRelay, UnitOfWork, inbox_table, outbox_table
from clinic_shared.outbox.inbox import EventHandler
from clinic_shared.settings import ServiceSettings
from clinic_testing.postgres import PostgresDatabases

metadata = sa.MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
effects = sa.Table(
    "effects",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)


async def record_effect(event: Event, uow: UnitOfWork) -> None:
    assert uow.handling is not None
    await uow.session.execute(sa.insert(effects).values(event_id=str(uow.handling.id)))


async def reserve_for(event: PatientRegistered, uow: UnitOfWork) -> None:
    """Inventory's part: the effect, and an event of its own back to scheduling."""
    await record_effect(event, uow)
    uow.emit(StockReserved(session_id=event.patient_id, session_starts_at=utcnow()))


HANDLERS: dict[str, dict[str, EventHandler]] = {
    "scheduling": {
        StockReserved.TYPE: record_effect,
        SessionConfirmedByPatient.TYPE: record_effect,
    },
    "inventory": {PatientRegistered.TYPE: reserve_for},
    "notifications": {PatientRegistered.TYPE: record_effect},
}
SOURCES = {
    "inventory": ("scheduling",),
    "notifications": ("scheduling",),
    "scheduling": ("inventory", "notifications"),
}
"""Whose outboxes each consumer's events come from (every event of those outboxes is for it)."""
# the runtime's: a committed event goes out from memory, the table's lease takes what is left
HANDOFF = ServiceSettings.model_fields["outbox_handoff_seconds"].default
PRODUCERS = ("scheduling", "notifications")
"""The services that publish of their own accord (inventory publishes what it consumes)."""


def spontaneous_event(producer: str) -> Event:
    """What a producer commits of its own accord: a registration, a patient's confirmation."""
    if producer == "scheduling":
        return PatientRegistered(patient_id=uuid.uuid4(), first_name="P", last_name="Q")
    return SessionConfirmedByPatient(
        session_id=uuid.uuid4(), patient_id=uuid.uuid4(), confirmed_at=utcnow()
    )


class TimedBus(RabbitBus):
    """The real bus, noting when each publish began and when the broker confirmed it."""

    def __init__(self, url: str, options: BusOptions, *, name: str) -> None:
        super().__init__(url, options, name=name)
        self.confirmed: list[tuple[datetime, datetime]] = []

    async def publish(self, envelope: Envelope) -> None:
        began = utcnow()
        await super().publish(envelope)
        self.confirmed.append((began, utcnow()))

    def first_confirm_begun_after(self, moment: datetime) -> datetime | None:
        return min((end for began, end in self.confirmed if began > moment), default=None)


@dataclass
class MiniService:
    """One service as its runtime wires it: a database, a bus, a relay and a consumer."""

    name: str
    db: Database
    bus: TimedBus
    relay: OutboxRelay
    deliveries: Counter[str] = field(default_factory=Counter)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.db, outbox, producer=self.name, on_commit=self.relay.hand_over)

    async def start(self) -> None:
        await self.bus.connect()
        consumer = InboxConsumer(self.name, self.uow, inbox, HANDLERS[self.name])

        async def counted(envelope: Envelope) -> None:
            self.deliveries[str(envelope.id)] += 1
            await consumer(envelope)

        await self.bus.subscribe(self.name, counted)
        self.task = asyncio.create_task(self.relay.run(self.stopping))

    async def stop(self) -> None:
        self.stopping.set()
        self.relay.wake()
        if self.task is not None:
            await self.task
        await self.bus.close()
        await self.db.dispose()

    async def commit(self, event: Event) -> None:
        async with self.uow() as uow:
            uow.emit(event)
            await uow.commit()

    async def pending(self) -> int:
        """Outbox rows not yet confirmed by the broker."""
        async with self.db.session() as session:
            count = await session.scalar(
                sa.select(sa.func.count()).where(outbox.c.status != "published")
            )
            return int(count or 0)

    async def outbox_rows(self) -> list[sa.Row[tuple[str, datetime, datetime | None]]]:
        """Every event this service committed: id, when, and when the broker confirmed it."""
        async with self.db.session() as session:
            result = await session.execute(
                sa.select(outbox.c.id, outbox.c.created_at, outbox.c.published_at)
            )
            return list(result.all())

    async def effect_rows(self) -> list[sa.Row[tuple[str, datetime]]]:
        """Every effect this service's handlers wrote: the event's id and when."""
        async with self.db.session() as session:
            result = await session.execute(sa.select(effects.c.event_id, effects.c.applied_at))
            return list(result.all())


async def mini_services(
    databases: PostgresDatabases, amqp_url: str, options: BusOptions
) -> dict[str, MiniService]:
    services = {}
    for name in HANDLERS:
        db = Database(await databases.fresh(f"cluster_{name}", metadata=metadata), pool_size=4)
        bus = TimedBus(amqp_url, options, name=name)
        services[name] = MiniService(
            name, db, bus, OutboxRelay(db, outbox, bus, poll_seconds=0.2, handoff_seconds=HANDOFF)
        )
    return services


async def sent_to(consumer: str, services: Mapping[str, MiniService]) -> dict[str, Any]:
    """The events committed for `consumer`, by id."""
    return {row.id: row for s in SOURCES[consumer] for row in await services[s].outbox_rows()}


async def settled(services: Mapping[str, MiniService]) -> bool:
    """Every outbox confirmed, and every consumer holding an effect of every event for it."""
    for service in services.values():
        if await service.pending():
            return False
    for consumer in SOURCES:
        applied = {row.event_id for row in await services[consumer].effect_rows()}
        if not set(await sent_to(consumer, services)) <= applied:
            return False
    return True


async def account(services: Mapping[str, MiniService], killed_at: datetime) -> dict[str, Any]:
    """Per consumer: events lost (and of those, confirmed ones), applied twice, redelivered and
    absorbed by the inbox, and how long after the kill it first applied an event committed after
    it. Per publisher: how long after the kill its bus confirmed a publish begun after it, and
    the events committed in between, which waited in the outbox (recovered if not lost)."""
    report: dict[str, Any] = {}
    lost: set[str] = set()
    for consumer in SOURCES:
        report[consumer] = await _consumed(services, consumer, killed_at, lost)
    for publisher in ("scheduling", "inventory", "notifications"):
        report[publisher] |= await _published(services[publisher], killed_at, lost)
    return report


async def _consumed(
    services: Mapping[str, MiniService], consumer: str, killed_at: datetime, lost_ids: set[str]
) -> dict[str, Any]:
    # Effects are read before and after the events sent: an effect read first is of an event
    # committed before it, so it is in `sent`; an event of `sent` not in the effects read after
    # was never applied. Reading them the other way round would miscount an event committed in
    # between.
    applied_before = await services[consumer].effect_rows()
    sent = await sent_to(consumer, services)
    effects = await services[consumer].effect_rows()
    counts = Counter(row.event_id for row in effects)
    lost = [event_id for event_id in sent if not counts[event_id]]
    lost_ids.update(lost)
    phantoms = sorted({e.event_id for e in applied_before} - set(sent))
    applied_after = [
        e.applied_at
        for e in effects
        if e.event_id in sent and sent[e.event_id].created_at > killed_at
    ]
    deliveries = services[consumer].deliveries
    return {
        "events": len(sent),
        "lost": len(lost),
        "lost_confirmed": sum(sent[event_id].published_at is not None for event_id in lost),
        "applied_twice": sum(n > 1 for n in counts.values()),
        "redeliveries_absorbed": sum(n - 1 for n in deliveries.values() if n > 1),
        "back_seconds": _seconds(min(applied_after, default=None), killed_at),
        "phantoms": {
            event_id: await _committed_by(services, event_id) for event_id in phantoms[:5]
        },
        "phantom_count": len(phantoms),
    }


async def _committed_by(services: Mapping[str, MiniService], event_id: str) -> list[str]:
    """Which outboxes hold `event_id` now (for the ledger of an effect of an unknown event)."""
    return [
        name
        for name, service in services.items()
        if any(row.id == event_id for row in await service.outbox_rows())
    ]


async def _published(publisher: MiniService, killed_at: datetime, lost: set[str]) -> dict[str, Any]:
    rows = await publisher.outbox_rows()
    resumed = publisher.bus.first_confirm_begun_after(killed_at)
    waited = [r.id for r in rows if killed_at < r.created_at < (resumed or utcnow())]
    return {
        "events_committed": len(rows),
        "publishing_resumed_seconds": _seconds(resumed, killed_at),
        "longest_confirm_gap_seconds": _longest_gap([end for _, end in publisher.bus.confirmed]),
        "waited_in_outbox": len(waited),
        "recovered": sum(event_id not in lost for event_id in waited),
    }


def _seconds(when: datetime | None, since: datetime) -> float | None:
    return None if when is None else round((when - since).total_seconds(), 2)


def _longest_gap(times: list[datetime]) -> float:
    ordered = sorted(times)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(ordered)]
    return round(max(gaps, default=0.0), 2)
