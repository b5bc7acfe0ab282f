"""Fault tests 1 and 4: RabbitMQ connections cut again and again, and the broker's app stopped
and started, while 1,000 sessions are booked by two replicas of each service on the same
databases and broker. Every booking must end with exactly one reservation and
exactly its reminders, and every queue must have its consumers back within 15 seconds."""

from __future__ import annotations

import asyncio
import time

import aio_pika

from clinic_shared.messaging import topology
from clinic_testing.processes import RabbitNode
from clinic_testing.tcp_proxy import TcpProxy

from .stack import Booking, FaultStack, Ledger, fault_marks

pytestmark = fault_marks(timeout_seconds=600)

BOOKINGS = 1000
CONSUMER_BACK_WITHIN = 15.0  # seconds, the bound issue 7 sets
CUTS = 4
STREAM_PER_SECOND = 50
CONSUMERS = tuple(topology.SUBSCRIPTIONS)


async def consumer_counts(node: RabbitNode, namespace: str) -> dict[str, int]:
    """Consumers attached to each service's queue, as the broker itself counts them."""
    try:
        connection = await aio_pika.connect(node.url, timeout=2)
    except Exception:
        return {}
    async with connection:
        channel = await connection.channel()
        counts = {}
        for consumer in CONSUMERS:
            queue = await channel.declare_queue(
                topology.queue_name(namespace, consumer), passive=True
            )
            counts[consumer] = queue.declaration_result.consumer_count or 0
        return counts


async def consumers_back(node: RabbitNode, namespace: str, replicas: int) -> float:
    """Seconds until every queue has all its replicas' consumers again (measured, then bounded)."""
    started = time.monotonic()
    while time.monotonic() - started < 60:
        counts = await consumer_counts(node, namespace)
        if counts and all(counts.get(c, 0) >= replicas for c in CONSUMERS):
            return round(time.monotonic() - started, 2)
        await asyncio.sleep(0.1)
    raise AssertionError(f"consumers not back within 60 s: {counts}")


async def broker_fault_stream(
    stack: FaultStack, node: RabbitNode, replicas: int, ledger: Ledger
) -> None:
    proxy = TcpProxy("127.0.0.1", node.port)
    await proxy.start()
    try:
        stack.amqp_url = f"amqp://guest:guest@127.0.0.1:{proxy.port}/"
        await stack.start(replicas)
        bookings = await stack.setup_clinic(BOOKINGS, stock=BOOKINGS + 10)
        fault = {"active": False}
        answered = [0]
        stream_done = asyncio.Event()

        async def stream() -> None:
            semaphore = asyncio.Semaphore(8)
            loop = asyncio.get_running_loop()
            start = loop.time()

            async def one(index: int, booking: Booking) -> None:
                # Paced, so the stream outlasts the faults' choreography (a broker restart and
                # each recovery take seconds; unpaced, the bookings were done in three).
                await asyncio.sleep(max(0.0, start + index / STREAM_PER_SECOND - loop.time()))
                async with semaphore:
                    booking.during_fault = fault["active"]
                    response = await stack.book(booking)
                    answered[0] += 1
                    # scheduling's database is up throughout: a booking never fails here
                    assert response.status_code == 201, response.text

            await asyncio.gather(*(one(n, b) for n, b in enumerate(bookings)))
            stream_done.set()

        async def faults() -> None:
            for cut in range(CUTS):
                # Spread over the stream by its progress, not by the clock: on a quiet machine
                # the 1,000 bookings take a few seconds, and timed faults fell after the stream.
                while answered[0] < (cut + 1) * BOOKINGS // (CUTS + 1):
                    await asyncio.sleep(0.005)
                ledger.details.setdefault("answered_at_cuts", []).append(answered[0])
                fault["active"] = True
                await proxy.cut()
                ledger.faults["connections_cut"] = ledger.faults.get("connections_cut", 0) + 1
                ledger.consumer_recovery_seconds.append(
                    await consumers_back(node, stack.namespace, replicas)
                )
                fault["active"] = False
                if cut == CUTS - 1:
                    # Last: stopping and starting the app takes from a few seconds to over ten,
                    # which, earlier in the stream, left later cuts after its end.
                    ledger.details["answered_at_restart"] = answered[0]
                    fault["active"] = True
                    await node.stop_app()
                    await asyncio.sleep(2)
                    await node.start_app()
                    ledger.faults["broker_app_restarts"] = 1
                    ledger.consumer_recovery_seconds.append(
                        await consumers_back(node, stack.namespace, replicas)
                    )
                    fault["active"] = False

        await asyncio.gather(stream(), faults())
        ledger.details["stream_finished_before_faults_ended"] = stream_done.is_set()
        await stack.settled(BOOKINGS, timeout=180)
        await stack.account(ledger, bookings)
    finally:
        await proxy.close()


async def test_two_replicas_give_every_booking_one_reservation_and_its_reminders_through_faults(
    fault_stack: FaultStack, rabbit_node: RabbitNode
) -> None:
    """Tests 1 and 4 in one stream: the broker faults of (1) with two replicas of each service
    on the same databases and broker (4), so one private node and one 1,000-booking stream serve
    both (the faults tier must stay within minutes)."""
    replicas, name = 2, "broker_faults_two_replicas"
    ledger = Ledger(name)
    ledger.details["replicas_per_service"] = replicas
    try:
        await broker_fault_stream(fault_stack, rabbit_node, replicas, ledger)
    finally:
        record = ledger.write()

    assert ledger.booked == BOOKINGS
    assert record["details"]["reminders_per_booking"] > 0
    assert ledger.lost == 0, record
    assert ledger.duplicated == 0, record
    assert ledger.faults["connections_cut"] == CUTS
    # every cut, and the broker's restart, began during the stream
    assert max(record["details"]["answered_at_cuts"]) < BOOKINGS
    assert record["details"]["answered_at_restart"] < BOOKINGS
    assert ledger.faults["broker_app_restarts"] == 1
    assert max(ledger.consumer_recovery_seconds) <= CONSUMER_BACK_WITHIN, record
