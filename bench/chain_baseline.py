"""The pipeline's shape with nothing but asyncpg and aio-pika: how near 0.5 can any pipeline get?

    python bench/chain_baseline.py --bookings N --size BYTES --dsn postgresql://.../db

The least work the issue's pipeline implies, written directly on the drivers, in ONE process
(three roles on one event loop: cheaper than three processes on one core), with no HTTP, no
framework, no outbox and no business rules:

- "scheduling": 32 tasks each, per booking, insert a session row (one statement, autocommit),
  then publish `scheduling.session.booked` (persistent, confirmed) to a topic exchange;
- "inventory": consumes it (prefetch 16 as the services', manual ack): one transaction
  claiming its inbox row and inserting a reservation, then publishes `inventory.stock.reserved`
  and acks;
- "notifications": consumes it too: one transaction claiming its inbox row and inserting a
  reminder, then acks;
- "scheduling" again: consumes `inventory.stock.reserved`: its inbox row and an UPDATE of the
  session's stock flag in one transaction, then acks.

So 2 publishes and 3 consumes per booking on durable quorum queues, and 4 transactions, as the
services do (they add HTTP, the outbox and its relay, the rules and their reads). A booking is
done once both its reservation and its reminder are written. Prints JSON: per_second (first
booking to last done), p50_ms/p99_ms (booking to done), cpu_ms_per_booking (this process).

With `--rate R`, bookings start at R a second (issue 27's paced run, as the load generator
paces ours), and with `--record` the answer lists, per booking, its session id and when it was
"answered" (its row written and its event confirmed: what our booking's 201 stands for), so
the caller can time each hop the way it times ours (bench/pipeline.py's watcher).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import struct
import time
import uuid
from typing import Any

import aio_pika
import asyncpg
import uvloop

AMQP_URL = os.environ.get("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
TABLES = """
CREATE TABLE IF NOT EXISTS chain_sessions (id uuid PRIMARY KEY,
    starts_at timestamptz NOT NULL, stock_at_risk boolean NOT NULL DEFAULT true);
CREATE TABLE IF NOT EXISTS chain_inbox (
    consumer text, event_id uuid, PRIMARY KEY (consumer, event_id));
CREATE TABLE IF NOT EXISTS chain_reservations (session_id uuid PRIMARY KEY, vials int NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp());
CREATE TABLE IF NOT EXISTS chain_messages (session_id uuid PRIMARY KEY,
    due_at timestamptz NOT NULL, created_at timestamptz NOT NULL DEFAULT clock_timestamp());
"""
CLAIM = "INSERT INTO chain_inbox VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1"


async def run(
    dsn: str,
    bookings: int,
    size: int,
    prefetch: int = 16,
    clients: int = 32,
    rate: float = 0.0,
    record: bool = False,
) -> dict[str, Any]:
    pool = await asyncpg.create_pool(dsn, min_size=8, max_size=32)
    await pool.execute(TABLES)
    connection = await aio_pika.connect_robust(AMQP_URL)
    prefix = f"bench.chain.{uuid.uuid4().hex[:8]}"
    async with connection:
        publish = await connection.channel(publisher_confirms=True)
        exchange = await publish.declare_exchange(
            prefix, aio_pika.ExchangeType.TOPIC, auto_delete=True
        )
        consume = await connection.channel()
        await consume.set_qos(prefetch_count=prefetch)
        queues = {}
        for name, key in (
            ("inventory", "scheduling.session.booked"),
            ("notifications", "scheduling.session.booked"),
            ("scheduling", "inventory.stock.reserved"),
        ):
            queue = await consume.declare_queue(
                f"{prefix}.{name}", durable=True, arguments={"x-queue-type": "quorum"}
            )
            await queue.bind(prefix, key)
            queues[name] = queue
        sent: dict[bytes, float] = {}
        seen: dict[bytes, int] = {}
        latencies: list[float] = []
        done = asyncio.Event()
        padding = b"x" * max(0, size - 16)

        def arrived(session: bytes) -> None:
            seen[session] = seen.get(session, 0) + 1
            if seen[session] == 2:
                latencies.append(time.perf_counter() - sent[session])
                if len(latencies) >= bookings:
                    done.set()

        async def claim(conn: asyncpg.Connection, consumer: str, event_id: uuid.UUID) -> bool:
            return await conn.fetchval(CLAIM, consumer, event_id) is not None

        async def inventory(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            session = message.body[:16]
            async with pool.acquire() as conn, conn.transaction():
                if await claim(conn, "inventory", uuid.UUID(message.message_id)):
                    await conn.execute(
                        "INSERT INTO chain_reservations VALUES ($1, 2)", uuid.UUID(bytes=session)
                    )
            reserved = aio_pika.Message(
                session + padding,
                message_id=str(uuid.uuid4()),
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )
            await exchange.publish(reserved, routing_key="inventory.stock.reserved")
            await message.ack()
            arrived(session)

        async def notifications(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            session = message.body[:16]
            async with pool.acquire() as conn, conn.transaction():
                if await claim(conn, "notifications", uuid.UUID(message.message_id)):
                    await conn.execute(
                        "INSERT INTO chain_messages VALUES ($1, now() + interval '1 day')",
                        uuid.UUID(bytes=session),
                    )
            await message.ack()
            arrived(session)

        async def stock_flag(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with pool.acquire() as conn, conn.transaction():
                if await claim(conn, "scheduling", uuid.UUID(message.message_id)):
                    await conn.execute(
                        "UPDATE chain_sessions SET stock_at_risk = false WHERE id = $1",
                        uuid.UUID(bytes=message.body[:16]),
                    )
            await message.ack()

        tags = [
            (queues["inventory"], await queues["inventory"].consume(inventory)),
            (queues["notifications"], await queues["notifications"].consume(notifications)),
            (queues["scheduling"], await queues["scheduling"].consume(stock_flag)),
        ]
        counter = iter(range(bookings))
        answered: list[tuple[str, float]] = []
        loop = asyncio.get_running_loop()
        begin = loop.time()

        async def client() -> None:
            for index in counter:
                if rate:
                    await asyncio.sleep(max(0.0, begin + index / rate - loop.time()))
                session = uuid.uuid4()
                sent[session.bytes] = time.perf_counter()
                await pool.execute(
                    "INSERT INTO chain_sessions (id, starts_at) VALUES ($1, now())", session
                )
                booked = aio_pika.Message(
                    session.bytes + struct.pack("d", sent[session.bytes]) + padding,
                    message_id=str(uuid.uuid4()),
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                )
                await exchange.publish(booked, routing_key="scheduling.session.booked")
                answered.append((str(session), time.time()))

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(client() for _ in range(clients)))
        await asyncio.wait_for(done.wait(), timeout=300)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        for queue, tag in tags:
            await queue.cancel(tag)
            await consume.queue_delete(queue.name)
    await pool.close()
    latencies.sort()
    return ({"records": answered} if record else {}) | {
        "bookings": bookings,
        "bytes": size,
        "per_second": bookings / elapsed,
        "cpu_ms_per_booking": cpu * 1000 / bookings,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(0.99 * (len(latencies) - 1))] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--bookings", type=int, default=2000)
    parser.add_argument("--size", type=int, default=700)
    parser.add_argument("--prefetch", type=int, default=16, help="per consumer, as the services'")
    parser.add_argument("--rate", type=float, default=0.0, help="bookings a second; 0: flat out")
    parser.add_argument("--record", action="store_true", help="each booking's id and answer time")
    args = parser.parse_args()
    result = run(
        args.dsn, args.bookings, args.size, args.prefetch, rate=args.rate, record=args.record
    )
    print(json.dumps(uvloop.run(result)))


if __name__ == "__main__":
    main()
