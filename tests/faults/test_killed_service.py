"""Fault test 3: each service SIGKILLed in the middle of its work and started again. The outbox,
the reservations and the pending reminders resume where they were: nothing lost, nothing twice."""

from __future__ import annotations

import asyncio

from clinic_testing.helpers import eventually

from .stack import Booking, FaultStack, Ledger, fault_marks

pytestmark = fault_marks(timeout_seconds=300)

BOOKINGS = 150


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

        async def sending() -> int:
            return await stack.scalar(
                "notifications", "SELECT count(*) FROM messages WHERE status = 'sending'"
            )

        async def count(service: str) -> int:
            return await stack.scalar(service, "SELECT count(*) FROM sessions")

        half = BOOKINGS // 2
        first_half = asyncio.create_task(book_all(bookings[:half]))
        # inventory dies mid-stream, once it has recorded some of the sessions booked so far
        killed["inventory_sessions_seen"] = await eventually(
            lambda: count("inventory"), until=lambda n: n >= 10, timeout=60, interval=0.005
        )
        stack.replicas["inventory"][0].kill()
        killed["inventory_sessions_at_kill"] = await count("inventory")
        killed["scheduling_sessions_at_inventory_kill"] = await count("scheduling")
        await first_half
        second_half = asyncio.create_task(book_all(bookings[half:]))
        # notifications dies in the middle of a dispatch round, with sends leased and in flight
        killed["notifications_sending_seen"] = await eventually(sending, timeout=60, interval=0.005)
        stack.replicas["notifications"][0].kill()
        killed["notifications_sending_at_kill"] = await sending()
        killed["notifications_handed_over_at_kill"] = await stack.scalar(
            "notifications",
            "SELECT count(*) FROM messages WHERE status = 'sending' AND handed_over_at IS NOT NULL",
        )
        await second_half
        # scheduling dies too, with whatever its relay had not yet published
        killed["scheduling_outbox_pending"] = await stack.scalar(
            "scheduling", "SELECT count(*) FROM outbox WHERE status = 'pending'"
        )
        stack.replicas["scheduling"][0].kill()
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
        ledger.details["settled_as_sent_after_the_kill"] = await stack.scalar(
            "notifications",
            "SELECT count(*) FROM message_attempts WHERE error LIKE '%not sent again%'",
        )
    finally:
        ledger.write()

    # each died with work in hand: inventory while the first half was still being booked for it
    # (it had recorded 23 of 26 sessions booked so far in one run, so compare with the half, not
    # with that snapshot, which a fast inventory can reach), notifications with sends leased
    assert killed["inventory_sessions_at_kill"] < half
    assert killed["notifications_sending_seen"] > 0
    assert ledger.booked == BOOKINGS
    assert ledger.lost == 0, ledger
    twice = ledger.details
    # Nothing the services hold is doubled: reservations, planned reminders, recorded sends, alerts.
    assert twice["duplicated_reservation"] == 0, ledger
    assert twice["duplicated_reminders"] == 0, ledger
    assert twice["messages_sent_twice"] == 0, ledger
    assert twice["staff_alerts_twice"] == 0, ledger
    # A send the killed dispatcher had handed over (the SMTP server had it whole, and the
    # dispatcher committed so) is settled as sent, not sent again; one whose closing dot had
    # not gone is sent again, and the server had dropped its unfinished first try. Only an
    # email whose dot had gone but whose hand-over commit had not finished can arrive twice:
    # at-least-once, so never more than the sends that were leased at the kill.
    assert twice["emails_received_twice"] <= killed["notifications_sending_at_kill"], ledger
