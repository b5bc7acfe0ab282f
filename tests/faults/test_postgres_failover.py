"""Fault test: the PostgreSQL primary dies under a stream of bookings and its synchronous standby
is promoted. The services were given both hosts with `target_session_attrs=read-write`: they
answer 503 during the cut, write again on the new primary without a restart, and no booking they
confirmed, nor any of its events, is lost."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from clinic_shared import migrations
from clinic_testing.plugin import RabbitNamespace
from clinic_testing.postgres import PostgresDatabases

from .postgres_pair import PostgresPair
from .stack import SERVICES, Booking, FaultStack, Ledger, fault_marks

pytestmark = [*fault_marks(timeout_seconds=480), pytest.mark.failover]

BOOKINGS = 100
KILL_AFTER = 30  # bookings answered before the primary dies
RECOVERY_BOUND_SECONDS = 30.0
RETRY_SECONDS = 0.25  # the desk presses again after a 503
PACE_SECONDS = 0.1  # between one desk's bookings: the stream outlasts the cut
DETECTION_SECONDS = 2.0  # the primary is down this long before the standby is promoted


class FailoverStack(FaultStack):
    """The fault stack on a primary and standby of its own: each service is given both hosts,
    the way libpq lists them; the test's own queries go to whichever is primary."""

    pair: PostgresPair

    async def prepare(self) -> None:
        for name in SERVICES:
            await self.pair.create_database(name)
            await asyncio.to_thread(
                migrations.upgrade, f"{name}:migrations", self.service_url(name)
            )
        self.follow_primary()

    def service_url(self, name: str) -> str:
        hosts = ",".join(f"127.0.0.1:{port}" for port in self.pair.ports.values())
        return f"postgresql+asyncpg://postgres@{hosts}/{name}?target_session_attrs=read-write"

    def follow_primary(self) -> None:
        port = self.pair.ports[self.pair.primary]
        self.urls = {n: f"postgresql+asyncpg://postgres@127.0.0.1:{port}/{n}" for n in SERVICES}

    def env(self, name: str) -> dict[str, str]:
        return super().env(name) | {f"{name.upper()}_DATABASE_URL": self.service_url(name)}


@pytest.fixture
async def failover_stack(
    postgres_databases: PostgresDatabases,
    rabbitmq_url: str,
    amqp_namespace: RabbitNamespace,
    tmp_path: Path,
) -> AsyncIterator[FailoverStack]:
    pair = PostgresPair()
    stack: FailoverStack | None = None
    try:
        await pair.start()
        amqp_namespace.url = rabbitmq_url
        stack = FailoverStack(postgres_databases, rabbitmq_url, amqp_namespace.prefix, tmp_path)
        stack.pair = pair
        await stack.prepare()
        yield stack
    finally:
        if stack is not None:
            await stack.close()
        pair.close()


async def test_primary_killed_and_standby_promoted_loses_no_confirmed_booking(
    failover_stack: FailoverStack,
) -> None:
    stack, pair, ledger = failover_stack, failover_stack.pair, Ledger("postgres_failover")
    answers: list[tuple[float, float, int]] = []  # (sent, answered, status) of every answer
    killed_at: float | None = None
    try:
        await stack.start(1)
        bookings = await stack.setup_clinic(BOOKINGS, stock=BOOKINGS + 10)
        cut = asyncio.Event()

        async def one(booking: Booking, semaphore: asyncio.Semaphore) -> None:
            async with semaphore:
                deadline = time.monotonic() + 2 * RECOVERY_BOUND_SECONDS
                while time.monotonic() < deadline:
                    sent = time.monotonic()
                    response = await stack.book(booking)
                    answers.append((sent, time.monotonic(), response.status_code))
                    if len(answers) >= KILL_AFTER:
                        cut.set()
                    if response.status_code == 201:
                        break
                    if booking.during_fault and _already_booked(response):
                        break  # its first try committed after all: the account finds it
                    assert response.status_code == 503, response.text
                    assert response.headers["content-type"] == "application/problem+json"
                    assert response.json()["status"] == 503
                    booking.during_fault = True
                    await asyncio.sleep(RETRY_SECONDS)
                await asyncio.sleep(PACE_SECONDS)

        async def fault() -> None:
            nonlocal killed_at
            await cut.wait()
            await pair.kill_primary()
            killed_at = time.monotonic()  # the primary is down: pg_ctl saw it stop
            ledger.faults["primary_killed"] = 1
            # As an operator (or CloudNativePG, or Patroni) would: notice, then promote.
            await asyncio.sleep(DETECTION_SECONDS)
            await pair.promote_standby()
            ledger.details["promoted_after_seconds"] = round(time.monotonic() - killed_at, 2)
            stack.follow_primary()

        semaphore = asyncio.Semaphore(4)
        await asyncio.gather(fault(), *(one(b, semaphore) for b in bookings))
        assert killed_at is not None
        # Answers to what was sent once the primary was down, timed from that moment.
        after = [(a - killed_at, s) for t, a, s in answers if t >= killed_at]
        first_write = min((a for a, s in after if s == 201), default=None)
        ledger.details["write_recovery_seconds"] = (
            None if first_write is None else round(first_write, 2)
        )
        ledger.details["answers"] = {
            str(s): sum(1 for *_, x in answers if x == s) for s in sorted({s for *_, s in answers})
        }
        ledger.details["answers_after_kill"] = len(after)
        ledger.details["answers_during_cut"] = {
            str(s): sum(1 for t, x in after if x == s and (first_write is None or t <= first_write))
            for s in sorted({s for _, s in after})
        }
        confirmed = {b.session_id for b in bookings if b.session_id is not None}
        held = {r[0] for r in await stack.query("scheduling", "SELECT id::text FROM sessions")}
        ledger.details["confirmed_missing"] = sorted(confirmed - held)
        ledger.details["sessions_held"] = len(held)
        await stack.settled(len(held), timeout=120)
        for process in stack.processes():
            assert process.process is not None
            assert process.process.poll() is None, f"{process.name} exited"
            await process.wait_ready(timeout=30)
        await stack.account(ledger, bookings)
    finally:
        ledger.write()

    assert ledger.faults == {"primary_killed": 1}
    assert ledger.details["answers_during_cut"].get("503", 0) > 0, ledger  # the cut met the stream
    assert "500" not in ledger.details["answers"], ledger
    assert ledger.details["confirmed_missing"] == [], ledger
    assert ledger.details["write_recovery_seconds"] is not None, ledger
    assert ledger.details["write_recovery_seconds"] <= RECOVERY_BOUND_SECONDS, ledger
    assert ledger.booked == ledger.details["sessions_held"] == BOOKINGS, ledger
    assert ledger.lost == 0, ledger
    assert ledger.duplicated == 0, ledger


def _already_booked(response: httpx.Response) -> bool:
    """The answer to pressing again when the first try committed although its answer was lost:
    the slot is taken by that very booking (409), or its one-session course is full (422 naming
    the course). The account then finds the booking, once."""
    if response.status_code == 409:
        return True
    errors = response.json().get("errors", []) if response.status_code == 422 else []
    return errors == [{"field": "body.course_id", "reason": "no session left to book"}]
