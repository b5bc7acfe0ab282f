"""The pipeline's floor: raw aio-pika publish (confirms) and consume (manual ack), same broker.

    python bench/amqp_baseline.py --messages N --size BYTES [--publishers 32]

One durable quorum queue (as the services' queues are), persistent messages of BYTES bytes,
32 concurrent publishers each awaiting its confirm, one consumer with prefetch 16 acking each
message. Prints JSON: per_second (first publish to last ack), p50_ms and p99_ms (publish to
delivery), cpu_ms_per_message (its own CPU, publisher and consumer).
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
import uvloop

AMQP_URL = os.environ.get("BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


async def run(messages: int, size: int, publishers: int) -> dict[str, Any]:
    connection = await aio_pika.connect_robust(AMQP_URL)
    async with connection:
        publish = await connection.channel(publisher_confirms=True)
        consume = await connection.channel()
        await consume.set_qos(prefetch_count=16)
        name = f"bench.baseline.{uuid.uuid4().hex[:8]}"
        queue = await consume.declare_queue(
            name, durable=True, arguments={"x-queue-type": "quorum"}
        )
        latencies: list[float] = []
        done = asyncio.Event()

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            (sent,) = struct.unpack_from("d", message.body)
            latencies.append(time.perf_counter() - sent)
            await message.ack()
            if len(latencies) >= messages:
                done.set()

        tag = await queue.consume(on_message)
        padding = b"x" * max(0, size - 8)
        counter = iter(range(messages))

        async def publisher() -> None:
            for _ in counter:
                body = struct.pack("d", time.perf_counter()) + padding
                message = aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
                await publish.default_exchange.publish(message, routing_key=name)

        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(publisher() for _ in range(publishers)))
        await asyncio.wait_for(done.wait(), timeout=120)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        await queue.cancel(tag)
        await consume.queue_delete(name)
    latencies.sort()
    return {
        "messages": messages,
        "bytes": size,
        "per_second": messages / elapsed,
        "cpu_ms_per_message": cpu * 1000 / messages,
        "p50_ms": latencies[len(latencies) // 2] * 1000,
        "p99_ms": latencies[int(0.99 * (len(latencies) - 1))] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--size", type=int, default=700)
    parser.add_argument("--publishers", type=int, default=32)
    args = parser.parse_args()
    print(json.dumps(uvloop.run(run(args.messages, args.size, args.publishers))))


if __name__ == "__main__":
    main()
