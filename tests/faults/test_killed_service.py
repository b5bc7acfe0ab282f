"""Fault test 3: each service SIGKILLed in the middle of its work and started again. The outbox,
the reservations and the pending reminders resume where they were: nothing lost, nothing twice."""

from __future__ import annotations

import asyncio

from clinic_shared.testing.helpers import eventually

from .stack import Booking, FaultStack, Ledger, fault_marks

pytestmark = fault_marks(timeout_seconds=300)

BOOKINGS = 150
DISPATCH_CONCURRENCY = 10  # notifications' default: sends in flight at once, per process


async def test_services_killed_mid_work_resume_where_they_were(fault_stack: FaultStack) -> None:
    stack, ledger = fault_stack, Ledger("service_killed")
    # a send the killed process had leased is taken up again after the lease, not 2 minutes
    stack.extra_env = {"NOTIFICATIONS_DISPATCH_LEASE_SECONDS": "10"}
    try:
        await stack.start(1)
        bookings = await stack.setup_clinic(BOOKINGS, stock=BOOKINGS + 10)
        killed: dict[str, int] = {}

        async def book_all(batch: list[Booking]) -> None:
            semaphore = asyncio.Semaphore(8)

            async def one(booking: Booking) -> None:
                async with semaphore:
                    booking.during_fault = True
                    assert (await stack.book(booking)).status_code == 201

            await asyncio.gather(*(one(b) for b in batch))

        half = BOOKINGS // 2
        await book_all(bookings[:half])
        # the consumers are mid-way through the first half when they die
        for name in ("inventory", "notifications"):
            stack.replicas[name][0].kill()
        await book_all(bookings[half:])
        # scheduling dies with events still in its outbox (nothing consumes them now anyway)
        killed["scheduling_outbox_pending"] = await stack.scalar(
            "scheduling", "SELECT count(*) FROM outbox WHERE status = 'pending'"
        )
        stack.replicas["scheduling"][0].kill()
        killed["inventory_sessions_at_kill"] = await stack.scalar(
            "inventory", "SELECT count(*) FROM sessions"
        )
        killed["notifications_sessions_at_kill"] = await stack.scalar(
            "notifications", "SELECT count(*) FROM sessions"
        )
        ledger.faults["sigkills"] = 3
        ledger.details["at_kill"] = killed
        for process in stack.processes():
            process.start()
        await asyncio.gather(*(p.wait_ready() for p in stack.processes()))
        await stack.settled(BOOKINGS, timeout=120)

        async def confirmations() -> int:
            return len(stack.mailbox.received)

        # the pending sends resume too: each booking's confirmation email arrives
        await eventually(confirmations, until=lambda n: n >= BOOKINGS, timeout=120)
        await stack.account(ledger, bookings)
    finally:
        ledger.write()

    assert killed["inventory_sessions_at_kill"] < BOOKINGS  # it really died mid-work
    assert ledger.booked == BOOKINGS
    assert ledger.lost == 0, ledger
    twice = ledger.details
    # Nothing the services hold is doubled: reservations, planned reminders, recorded sends, alerts.
    assert twice["duplicated_reservation"] == 0, ledger
    assert twice["duplicated_reminders"] == 0, ledger
    assert twice["messages_sent_twice"] == 0, ledger
    assert twice["staff_alerts_twice"] == 0, ledger
    # What is left is email's own limit: a message the killed process had handed to the SMTP
    # server, but not yet recorded as sent, goes again after its lease (SMTP cannot be asked
    # whether it took a message). At-least-once: never more than the sends that were in flight.
    assert twice["emails_received_twice"] <= DISPATCH_CONCURRENCY, ledger
