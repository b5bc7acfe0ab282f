"""Dispatch N due emails to a local SMTP server, against a bare aiosmtplib loop to the same server.

    uv run python bench/notifications_dispatch.py [--messages 10000]

Prints messages per second of the dispatcher (lease, render, send, record each attempt) and of
two bare loops (one connection per message, as the dispatcher's channel does; and one connection
for all), and the ratios. Uses a throwaway PostgreSQL database on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiosmtplib
import asyncpg
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from clinic_testing.helpers import running
from notifications.adapters.channels import Outgoing
from notifications.adapters.channels.local import email_message
from notifications.adapters.orm import contacts, messages
from notifications.bootstrap import build_app
from notifications.entrypoints.workers import build_channels, build_dispatcher
from notifications.settings import NotificationsSettings

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.count += 1
        return "250 OK"


@contextlib.asynccontextmanager
async def database() -> AsyncIterator[str]:
    name = f"bench_notifications_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(ADMIN_DSN)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        conn = await asyncpg.connect(ADMIN_DSN)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


def rows(n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    people: list[dict[str, Any]] = []
    due: list[dict[str, Any]] = []
    starts = NOW + timedelta(days=2)
    for i in range(n):
        patient = uuid.uuid4()
        people.append(
            {"patient_id": patient, "first_name": "Amelia", "phone": None,
             "email": f"patient{i}@example.com", "language": "en", "preferred_channel": "email",
             "consent_sms": False, "consent_email": True, "source_occurred_at": NOW,
             "updated_at": NOW}
        )  # fmt: skip
        session = uuid.uuid4()
        due.append(
            {"id": uuid.uuid4(), "patient_id": patient, "session_id": session, "course_id": None,
             "subject_id": session, "kind": "reminder", "channel": "email", "offset_minutes": 2880,
             "anchor_at": starts, "status": "scheduled", "scheduled_for": NOW, "due_at": NOW,
             "expires_at": starts, "attempts": 0, "created_at": NOW, "updated_at": NOW,
             "context": {"sequence": 3, "sessions_planned": 10, "starts_at": starts.isoformat()}}
        )  # fmt: skip
    return people, due


async def dispatched_per_second(url: str, port: int, n: int) -> float:
    settings = NotificationsSettings(
        database_url=url, dispatch_enabled=False, smtp_host="127.0.0.1", smtp_port=port,
        smtp_security="none", dispatch_batch_size=500, dispatch_concurrency=50,
        database_pool_size=30,
    )  # fmt: skip
    channels = build_channels(settings)
    app = build_app(settings, channels=channels)
    async with running(app):
        people, due = rows(n)
        async with app.state.runtime.db.session() as session, session.begin():
            await session.execute(sa.insert(contacts), people)
            await session.execute(sa.insert(messages), due)
        sender = build_dispatcher(app.state.runtime, settings, channels)
        started = time.perf_counter()
        while await sender.dispatch_once(now=NOW):
            pass
        elapsed = time.perf_counter() - started
        await channels["email"].close()  # type: ignore[attr-defined]
    return n / elapsed


def bare_messages(n: int) -> list[object]:
    text = "Hello Amelia,\n\nThis is a reminder of your session 3 of 10.\n"
    return [
        email_message(
            Outgoing(str(uuid.uuid4()), "email", f"patient{i}@example.com", text, "Reminder"),
            "Clinic <no-reply@clinic.example>",
        )
        for i in range(n)
    ]


async def bare_per_second(port: int, n: int, *, reuse: bool, concurrency: int = 50) -> float:
    batch = bare_messages(n)
    slots = asyncio.Semaphore(concurrency)

    async def one(message: object) -> None:
        async with slots:
            await aiosmtplib.send(message, hostname="127.0.0.1", port=port, start_tls=False)  # type: ignore[arg-type]

    started = time.perf_counter()
    if reuse:
        async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False) as smtp:
            for message in batch:
                await smtp.send_message(message)  # type: ignore[arg-type]
    else:
        await asyncio.gather(*(one(m) for m in batch))
    return n / (time.perf_counter() - started)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    args = parser.parse_args()
    counter = Counter()
    port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        async with database() as url:
            dispatcher = await dispatched_per_second(url, port, args.messages)
        per_message = await bare_per_second(port, args.messages, reuse=False)
        one_connection = await bare_per_second(port, args.messages, reuse=True)
    finally:
        controller.stop()
    print(f"{args.messages} emails, PostgreSQL; server received {counter.count}")
    for label, rate in (
        ("dispatcher", dispatcher),
        ("bare aiosmtplib, connection per message", per_message),
        ("bare aiosmtplib, one connection", one_connection),
    ):
        print(f"{label:<40} {rate:8.0f} msg/s  dispatcher ratio {dispatcher / rate:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
