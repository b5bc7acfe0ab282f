"""Fault test 2: the services' PostgreSQL connections terminated again and again under a stream
of bookings. Each booking answers 201 or a 503 problem; nothing is half-written; the services
recover without a restart and every outbox drains to zero."""

from __future__ import annotations

import asyncio

import asyncpg

from .stack import SERVICES, Booking, FaultStack, Ledger, dsn, fault_marks

pytestmark = fault_marks(timeout_seconds=480)

BOOKINGS = 80


async def terminate_backends(stack: FaultStack) -> int:
    """pg_terminate_backend on every connection to the three services' databases."""
    names = [stack.databases.url(n).rsplit("/", 1)[1] for n in SERVICES]
    conn = await asyncpg.connect(dsn(stack.databases.admin_url))
    try:
        rows = await conn.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = ANY($1::text[]) AND pid <> pg_backend_pid()",
            names,
        )
    finally:
        await conn.close()
    return sum(1 for r in rows if r[0])


async def test_terminated_database_connections_give_503_or_success_and_nothing_half_written(
    fault_stack: FaultStack,
) -> None:
    stack, ledger = fault_stack, Ledger("database_connections_terminated")
    try:
        await stack.start(1)
        bookings = await stack.setup_clinic(BOOKINGS, stock=BOOKINGS + 10)
        statuses: list[int] = []
        done = asyncio.Event()

        async def stream() -> None:
            semaphore = asyncio.Semaphore(6)

            async def one(booking: Booking) -> None:
                async with semaphore:
                    booking.during_fault = True  # the terminations run all through the stream
                    response = await stack.book(booking)
                    statuses.append(response.status_code)
                    if response.status_code != 201:
                        assert response.status_code == 503, response.text
                        assert response.headers["content-type"] == "application/problem+json"
                        assert response.json()["status"] == 503

            await asyncio.gather(*(one(b) for b in bookings))
            done.set()

        async def faults() -> None:
            # A round after every tenth answer, so the terminations meet the stream however fast
            # it runs (on a quiet machine it takes under a second).
            answered = 0
            while not done.is_set():
                if len(statuses) >= answered + 10:
                    answered = len(statuses)
                    ledger.faults["backends_terminated"] = ledger.faults.get(
                        "backends_terminated", 0
                    ) + await terminate_backends(stack)
                    ledger.faults["rounds"] = ledger.faults.get("rounds", 0) + 1
                await asyncio.sleep(0.005)

        await asyncio.gather(stream(), faults())
        ledger.details["answers"] = {str(s): statuses.count(s) for s in sorted(set(statuses))}
        held = await stack.scalar("scheduling", "SELECT count(*) FROM sessions")
        ledger.details["sessions_held"] = held
        # Nothing half-written: every session scheduling holds reaches inventory and
        # notifications (its event was committed with it), and every outbox drains to zero.
        await stack.settled(held, timeout=120)
        for process in stack.processes():
            assert process.process is not None
            assert process.process.poll() is None
            await process.wait_ready(timeout=30)
        await stack.account(ledger, bookings)
    finally:
        ledger.write()

    assert ledger.faults["backends_terminated"] > 0
    assert ledger.faults["rounds"] >= 3, ledger  # several rounds met the stream
    assert ledger.booked == ledger.details["sessions_held"] > 0
    assert ledger.lost == 0, ledger
    assert ledger.duplicated == 0, ledger
