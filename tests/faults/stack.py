"""The three services as real processes on per-test databases, a stream of bookings, and the ledger
that accounts every booking as lost, duplicated or recovered (as RabbitMQ's Jepsen runs count
messages)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.engine import make_url

from clinic_testing.helpers import bearer, eventually, free_port, holiday_free_monday
from clinic_testing.postgres import PostgresDatabases
from clinic_testing.processes import ServiceProcess

SERVICES = ("scheduling", "inventory", "notifications")
PARIS = ZoneInfo("Europe/Paris")
ADMIN, DESK, STOCK = bearer("admin"), bearer("receptionist"), bearer("stock_manager")
TREATMENT = "cellulite-arms"  # 15 minutes; its kit: one caffeine, one vitamin blend
KIT = {"caffeine": 1, "vitamin-blend": 1}
LANES = 4  # practitioner and room pairs booked side by side
FIRST_SLOT, LAST_SLOT = time(7), time(21)


def fault_marks(timeout_seconds: int) -> list[pytest.MarkDecorator]:
    """The marks of a fault test over the whole stack, and how long it may run."""
    return [
        pytest.mark.faults,
        pytest.mark.system,
        pytest.mark.postgres,
        pytest.mark.rabbitmq,
        pytest.mark.timeout(timeout_seconds),
    ]


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "faults"


def dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class Ledger:
    """Every booking the clinic accepted, and what became of it downstream."""

    test: str
    booked: int = 0
    refused: int = 0
    lost: int = 0
    duplicated: int = 0
    recovered: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    consumer_recovery_seconds: list[float] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def write(self) -> dict[str, Any]:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        record = asdict(self)
        (ARTIFACTS / f"{self.test}.json").write_text(json.dumps(record, indent=2, default=str))
        print(f"\nledger {self.test}: {json.dumps(record, default=str)}")
        return record


@dataclass
class Booking:
    course_id: str
    room_id: str
    starts_at: datetime
    session_id: str | None = None
    during_fault: bool = False


class Mailbox:
    """A real SMTP server's handler: every email it accepted, by Message-ID."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for line in envelope.content.decode(errors="replace").splitlines():
            if line.lower().startswith("message-id:"):
                self.received[line.split(":", 1)[1].strip()] += 1
                break
        return "250 Message accepted"


class FaultStack:
    def __init__(
        self,
        databases: PostgresDatabases,
        amqp_url: str,
        namespace: str,
        directory: Path,
    ) -> None:
        self.databases = databases
        self.amqp_url = amqp_url
        self.namespace = namespace
        self.directory = directory
        self.urls: dict[str, str] = {}
        self.replicas: dict[str, list[ServiceProcess]] = {name: [] for name in SERVICES}
        self.client = httpx.AsyncClient(timeout=30)
        self.extra_env: dict[str, str] = {}
        self.mailbox = Mailbox()
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's SMTP transcript
        self.smtp = Controller(self.mailbox, hostname="127.0.0.1", port=free_port())
        self.smtp.start()

    async def prepare(self) -> None:
        for name in SERVICES:
            self.urls[name] = await self.databases.fresh(name, f"{name}:migrations")

    def env(self, name: str) -> dict[str, str]:
        prefix = name.upper() + "_"
        values = {
            "AMQP_URL": self.amqp_url,
            "AMQP_NAMESPACE": self.namespace,
            "CLINIC_LOG_LEVEL": "WARNING",
            f"{prefix}DATABASE_URL": self.urls[name],
            f"{prefix}RUN_MIGRATIONS": "false",
            f"{prefix}OUTBOX_POLL_SECONDS": "0.2",
            f"{prefix}CONSUMER_RETRY_DELAY_SECONDS": "0.5",
            f"{prefix}PUBLISH_TIMEOUT_SECONDS": "3",
            f"{prefix}DATABASE_POOL_SIZE": "2",
        }
        if name == "notifications":
            values |= {
                "NOTIFICATIONS_OUTBOX_DIR": str(self.directory / "sent"),
                "NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
                "NOTIFICATIONS_SMTP_PORT": str(self.smtp.port),
                "NOTIFICATIONS_SMTP_SECURITY": "none",
                "NOTIFICATIONS_DISPATCH_POLL_SECONDS": "0.5",
                "NOTIFICATIONS_DISPATCH_FIRST_RETRY_SECONDS": "1",
                "NOTIFICATIONS_STAFF_DIGEST_SECONDS": "1",
            }
        return values | self.extra_env

    def add(self, name: str) -> ServiceProcess:
        index = len(self.replicas[name])
        log = self.directory / f"{name}-{index}.log"
        process = ServiceProcess(name, self.env(name), log)
        process.start()
        self.replicas[name].append(process)
        return process

    async def start(self, replicas: int = 1) -> None:
        for _ in range(replicas):
            for name in SERVICES:
                self.add(name)
        await asyncio.gather(*(p.wait_ready() for p in self.processes()))

    def processes(self) -> list[ServiceProcess]:
        return [p for name in SERVICES for p in self.replicas[name]]

    def url(self, name: str) -> str:
        """A replica of `name` that is running (the first one)."""
        for process in self.replicas[name]:
            if process.process is not None and process.process.poll() is None:
                return process.url
        raise AssertionError(f"no replica of {name} is running")

    async def close(self) -> None:
        for process in self.processes():
            process.stop()
        await self.client.aclose()
        self.smtp.stop()

    # --- the clinic: lanes of practitioner + room, a patient and a one-session course a booking

    async def setup_clinic(self, bookings: int, stock: int) -> list[Booking]:
        """Practitioners, rooms, patients and one course per booking; lots for every kit; no
        quiet hours (the suite runs at any hour, and the confirmations must go at once)."""
        scheduling, inventory = self.url("scheduling"), self.url("inventory")
        policy = {
            "reminders": [
                {"offset_hours": 48, "channel": "email"},
                {"offset_hours": 24, "channel": "sms"},
            ],
            "quiet_hours": [],
            "aftercare_delay_minutes": 120,
        }
        put = await self.client.put(
            f"{self.url('notifications')}/v1/policy", json=policy, headers=ADMIN
        )
        assert put.status_code == 200, put.text
        for product in KIT:
            received = await self.client.post(
                f"{inventory}/v1/receipts",
                json={
                    "product_code": product,
                    "lot_number": f"L-{product}",
                    "expires_on": (date.today() + timedelta(days=365)).isoformat(),
                    "quantity": stock,
                },
                headers=STOCK,
            )
            assert received.status_code == 201, received.text
        lanes = []
        for lane in range(LANES):
            practitioner = await self._created(
                f"{scheduling}/v1/practitioners", {"name": f"Dr {lane}"}, ADMIN
            )
            hours = [
                {"weekday": d, "start": FIRST_SLOT.isoformat(), "end": LAST_SLOT.isoformat()}
                for d in range(7)
            ]
            put = await self.client.put(
                f"{scheduling}/v1/practitioners/{practitioner}/hours", json=hours, headers=ADMIN
            )
            assert put.status_code == 200, put.text
            room = await self._created(f"{scheduling}/v1/rooms", {"name": f"Room {lane}"}, ADMIN)
            lanes.append((practitioner, room))
        slots = _slots(bookings)
        semaphore = asyncio.Semaphore(8)

        async def course(index: int) -> Booking:
            """A patient of the booking's own (one active course per area and patient), and
            their one-session course."""
            practitioner, room = lanes[index % LANES]
            async with semaphore:
                patient = await self._created(
                    f"{scheduling}/v1/patients",
                    {
                        "first_name": "Booking",
                        "last_name": f"Patient {index}",
                        "email": f"booking{index}@example.com",
                        "preferred_channel": "email",
                        "consent_email": True,
                    },
                    DESK,
                )
                course_id = await self._created(
                    f"{scheduling}/v1/courses",
                    {
                        "patient_id": patient,
                        "treatment_code": TREATMENT,
                        "practitioner_id": practitioner,
                        "sessions_planned": 1,
                    },
                    DESK,
                )
            return Booking(course_id, room, slots[index])

        return list(await asyncio.gather(*(course(i) for i in range(bookings))))

    async def _created(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> str:
        for _ in range(20):
            response = await self.client.post(url, json=body, headers=headers)
            if response.status_code == 201:
                return str(response.json()["id"])
            assert response.status_code == 503, response.text
            await asyncio.sleep(0.2)
        raise AssertionError(f"{url} kept answering 503")

    async def book(self, booking: Booking) -> httpx.Response:
        """Book the session once; a 503 is tried again (the desk would press again)."""
        response = await self.client.post(
            f"{self.url('scheduling')}/v1/sessions",
            json={
                "course_id": booking.course_id,
                "starts_at": booking.starts_at.isoformat(),
                "room_id": booking.room_id,
            },
            headers=DESK,
        )
        if response.status_code == 201:
            booking.session_id = response.json()["id"]
        return response

    # --- what the services hold

    async def query(self, name: str, sql: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn(self.urls[name]))
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    async def scalar(self, name: str, sql: str) -> int:
        return int((await self.query(name, sql))[0][0])

    async def settled(self, expected_sessions: int, timeout: float = 120) -> None:
        """Wait until every outbox is drained and both consumers have seen every session."""

        async def state() -> tuple[int, ...]:
            pending = [
                await self.scalar(n, "SELECT count(*) FROM outbox WHERE status <> 'published'")
                for n in SERVICES
            ]
            inv = await self.scalar("inventory", "SELECT count(*) FROM sessions")
            notif = await self.scalar("notifications", "SELECT count(*) FROM sessions")
            return (*pending, inv, notif)

        await eventually(
            state,
            until=lambda s: s == (0, 0, 0, expected_sessions, expected_sessions),
            timeout=timeout,
            interval=0.5,
        )

    async def account(self, ledger: Ledger, bookings: list[Booking]) -> None:
        """Fill the ledger: a booking is lost when its reservation or reminders are missing,
        duplicated when anything a patient or staff member sees came twice."""
        for booking in bookings:
            if booking.session_id is None:  # a 503 whose transaction committed after all?
                rows = await self.query(
                    "scheduling",
                    "SELECT id::text FROM sessions WHERE course_id = $1::uuid",
                    booking.course_id,
                )
                booking.session_id = rows[0][0] if rows else None
        accepted = [b for b in bookings if b.session_id is not None]
        reserved: dict[str, Counter[str]] = {}
        for row in await self.query(
            "inventory",
            "SELECT session_id::text, product_code, sum(quantity) AS q FROM reservations "
            "WHERE status = 'reserved' GROUP BY session_id, product_code",
        ):
            reserved.setdefault(row["session_id"], Counter())[row["product_code"]] = row["q"]
        reminders = Counter(
            {
                r["session_id"]: r["n"]
                for r in await self.query(
                    "notifications",
                    "SELECT session_id::text, count(*) AS n FROM messages "
                    "WHERE session_id IS NOT NULL GROUP BY session_id",
                )
            }
        )
        expected_reminders = Counter(reminders.values()).most_common(1)[0][0] if reminders else 0
        sends = await self.query(
            "notifications",
            "SELECT message_id, count(*) AS n FROM message_attempts "
            "WHERE outcome = 'sent' GROUP BY message_id HAVING count(*) > 1",
        )
        alerts = await self.query(
            "notifications",
            "SELECT kind, subject, day, count(*) AS n FROM staff_alerts "
            "GROUP BY kind, subject, day HAVING count(*) > 1",
        )
        inventory_sessions = await self.scalar("inventory", "SELECT count(*) FROM sessions")
        lost_reservation = lost_reminders = dup_reservation = dup_reminders = 0
        for booking in accepted:
            held = reserved.get(str(booking.session_id), Counter())
            planned = reminders.get(str(booking.session_id), 0)
            lost = False
            if any(held[p] < q for p, q in KIT.items()):
                lost_reservation += 1
                lost = True
            if any(held[p] > q for p, q in KIT.items()):
                dup_reservation += 1
            if planned < expected_reminders:
                lost_reminders += 1
                lost = True
            if planned > expected_reminders:
                dup_reminders += 1
            ledger.lost += lost
            if booking.during_fault and not lost:
                ledger.recovered += 1
        ledger.booked = len(accepted)
        ledger.refused = len(bookings) - len(accepted)
        ledger.duplicated = dup_reservation + dup_reminders + len(sends) + len(alerts)
        twice = [m for m, n in self.mailbox.received.items() if n > 1]
        ledger.duplicated += len(twice)
        ledger.details |= {
            "reminders_per_booking": expected_reminders,
            "lost_reservation": lost_reservation,
            "lost_reminders": lost_reminders,
            "duplicated_reservation": dup_reservation,
            "duplicated_reminders": dup_reminders,
            "messages_sent_twice": len(sends),
            "staff_alerts_twice": len(alerts),
            "inventory_sessions": inventory_sessions,
            "emails_received": sum(self.mailbox.received.values()),
            "emails_received_twice": len(twice),
        }


def _slots(count: int) -> list[datetime]:
    """`count` session starts, lane by lane, 15 minutes apart, from a Monday at least ten days
    ahead whose week has no public holiday (the clinic is closed on those)."""
    first_day = holiday_free_monday(date.today() + timedelta(days=10), weeks=1)
    per_day = int(
        (datetime.combine(first_day, LAST_SLOT) - datetime.combine(first_day, FIRST_SLOT))
        / timedelta(minutes=15)
    )
    starts = []
    for index in range(count):
        lane_index = index // LANES
        day = first_day + timedelta(days=lane_index // per_day)
        minute = 15 * (lane_index % per_day)
        starts.append(datetime.combine(day, FIRST_SLOT, tzinfo=PARIS) + timedelta(minutes=minute))
    return starts


async def readiness_of(process: ServiceProcess) -> dict[str, Any]:
    body = await process.readiness()
    checks: dict[str, Any] = body.get("checks", {})
    return checks


def worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")
