"""Fault test 5: a poison message in each consumer's queue is dead-lettered, counted on the
service's /readyz for staff, and the queue keeps flowing."""

from __future__ import annotations

import aio_pika

from clinic_shared.messaging import topology
from clinic_testing.helpers import eventually

from .stack import SERVICES, FaultStack, Ledger, fault_marks

pytestmark = fault_marks(timeout_seconds=240)

BOOKINGS = 20


async def test_a_poison_message_is_dead_lettered_shown_to_staff_and_the_queue_flows(
    fault_stack: FaultStack,
) -> None:
    stack, ledger = fault_stack, Ledger("poison_message")
    try:
        await stack.start(1)
        bookings = await stack.setup_clinic(BOOKINGS, stock=BOOKINGS + 10)
        connection = await aio_pika.connect(stack.amqp_url)
        async with connection:
            channel = await connection.channel()
            for consumer in topology.SUBSCRIPTIONS:
                await channel.default_exchange.publish(
                    aio_pika.Message(b"\x00not an event{", message_id=f"poison-{consumer}"),
                    routing_key=topology.queue_name(stack.namespace, consumer),
                )
        ledger.faults["poison_messages"] = len(topology.SUBSCRIPTIONS)
        for booking in bookings:
            assert (await stack.book(booking)).status_code == 201

        async def dead_letters() -> dict[str, object]:
            return {
                name: (await stack.replicas[name][0].readiness())
                .get("checks", {})
                .get("dead_letters")
                for name in SERVICES
            }

        seen = await eventually(
            dead_letters, until=lambda d: all(v == 1 for v in d.values()), timeout=60
        )
        ledger.details["dead_letters_on_readyz"] = seen
        await stack.settled(BOOKINGS)
        await stack.account(ledger, bookings)
    finally:
        ledger.write()

    assert ledger.booked == BOOKINGS
    assert ledger.lost == 0, ledger
    assert ledger.duplicated == 0, ledger
