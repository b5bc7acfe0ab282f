"""Reservations per second from booked events arriving through RabbitMQ.

    uv run python bench/inventory_reservations.py --sessions 2000

Runs inventory on a throwaway PostgreSQL database and a namespaced RabbitMQ topology, stocks
every product, publishes N `scheduling.session.booked` events at once (arms kit: 2 products per
session, spread over 60 days) and times until every one is handled.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from inventory_common import AMQP_URL, scratch_database

from clinic_shared.contracts import Envelope
from clinic_shared.contracts.events import SessionBooked
from clinic_shared.runtime import ServiceRuntime
from clinic_testing.helpers import bearer, eventually, running
from clinic_testing.plugin import RabbitNamespace
from inventory.adapters.orm import inbox, reservations
from inventory.bootstrap import build_app
from inventory.settings import InventorySettings


def booked(i: int) -> Envelope:
    starts = datetime.now(UTC) + timedelta(days=1 + i % 60, minutes=i)
    event = SessionBooked(
        session_id=uuid.uuid4(),
        course_id=uuid.uuid4(),
        patient_id=uuid.uuid4(),
        practitioner_id=uuid.uuid4(),
        room_id=uuid.uuid4(),
        treatment_code="cellulite-arms",
        sequence=1,
        sessions_planned=10,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=15),
    )
    return Envelope.wrap(event, producer="bench", correlation_id="bench")


async def run(sessions: int, prefetch: int) -> None:
    namespace = RabbitNamespace()
    namespace.url = AMQP_URL
    async with scratch_database() as url:
        settings = InventorySettings(
            database_url=url,
            amqp_url=AMQP_URL,
            amqp_namespace=namespace.prefix,
            consumer_prefetch=prefetch,
            outbox_poll_seconds=0.05,
            scan_first_after_seconds=3600,
            log_level="WARNING",
        )
        app = build_app(settings)
        async with running(app) as client:
            for n, code in enumerate(("caffeine", "vitamin-blend")):
                body = {"product_code": code, "lot_number": f"B-{n}", "quantity": sessions * 2}
                body["expires_on"] = (date.today() + timedelta(days=365)).isoformat()
                await client.post("/v1/receipts", json=body, headers=bearer("admin"))
            runtime = app.state.runtime
            envelopes = [booked(i) for i in range(sessions)]
            started = time.perf_counter()
            await asyncio.gather(*(runtime.message_bus.publish(e) for e in envelopes))
            published = time.perf_counter() - started
            await eventually(
                lambda: count(runtime, inbox), until=lambda n: n >= sessions, timeout=3600
            )
            elapsed = time.perf_counter() - started
            lines = await count(runtime, reservations)
        await namespace.cleanup()
    print(f"{sessions} booked events (published in {published:.2f}s), prefetch {prefetch}")
    print(
        f"all handled in {elapsed:.2f}s: {sessions / elapsed:.0f} sessions reserved/s, "
        f"{lines / elapsed:.0f} reservation lines/s"
    )


async def count(runtime: ServiceRuntime, table: sa.Table) -> int:
    async with runtime.db.session() as session:
        return int(await session.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--prefetch", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(run(args.sessions, args.prefetch))


if __name__ == "__main__":
    main()
