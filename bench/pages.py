"""Section 6: the calendar's week view, the reports and a patient's page on a month and on a year
of a busy clinic (issues 22 and 23).

Two clinics, each a scheduling and an inventory service and a dashboard run as their containers
run them (`python -m`), with 10 practitioners in 10 rooms, 8 half-hour sessions each per working day
(Monday to Saturday), in courses of 10 weekly sessions. One clinic holds a month of sessions
around today (about 2,000), the other a year (about 25,000). Sessions go straight into
scheduling's tables, as bench/clinic.py's courses do: booking 25,000 through the API would time
the booking, not the page. Inventory holds its copy of the sessions, a vial of each of the
kit's two products consumed per completed session, and a lot per product and 30 days, expired
with 5 vials unused (the reports on stock).

Timed, signed in as the clinic's admin, the week holding today: the calendar page's HTML and its
data endpoint (`/calendar/api/events`, the grid's columns, background and sessions), and each
report's page over the 29 days around today (the month clinic holds all of them), alternately on
both clinics, ROUNDS times (load drifts alike); and the page of the patient whose course has a
session nearest today (each patient has one course of 10 sessions in both clinics, so only the
clinic's size differs; notifications runs on an empty database, so the page's messages are
read, not skipped). The figure is the ratio of medians, year over
month: the week and the period show the same sessions in both, so their cost should not grow
with the history.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
from common import dsn_of, median, rabbit_namespace, scratch_databases, servers, service

from clinic_shared import migrations

ZONE = ZoneInfo("Europe/Paris")
PRACTITIONERS = 10
SLOTS = 8  # half hours from 09:00
TREATMENT = "cellulite-arms"  # 30 minutes
ROUNDS = 15
ADMIN_EMAIL = "bench.admin@example.com"
ADMIN_PASSWORD = "Bench-pages-9f2c71d0e4"  # a scratch clinic's, dropped after the run
SPANS = {"month": 31, "year": 365}
REPORTS = ("utilisation", "attendance", "adherence", "vials", "expiry-waste")


def _rows(today: date, days: int) -> dict[str, list[tuple[Any, ...]]]:
    """The clinic's staff, rooms, patients, courses and sessions over `days` centred on today.

    Course (practitioner, slot, weekday, block of 10 weeks): its sessions fall on that weekday
    and half hour of 10 consecutive weeks, so nobody is in two places at once.
    """
    now = datetime.now(UTC)
    first = today - timedelta(days=days // 2)
    staff = [(uuid.uuid4(), f"Practitioner {i}", now) for i in range(PRACTITIONERS)]
    rooms = [(uuid.uuid4(), f"Room {i}", now) for i in range(PRACTITIONERS)]
    hours = [
        (p[0], weekday, datetime.min.time().replace(hour=9), datetime.min.time().replace(hour=18))
        for p in staff for weekday in range(6)
    ]  # fmt: skip
    patients: list[tuple[Any, ...]] = []
    courses: dict[tuple[int, int, int, int], tuple[Any, ...]] = {}
    sessions: list[tuple[Any, ...]] = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        if day.weekday() == 6:
            continue
        week = (day - date(2000, 1, 3)).days // 7
        for p in range(PRACTITIONERS):
            for slot in range(SLOTS):
                key = (p, slot, day.weekday(), week // 10)
                if key not in courses:
                    patient = uuid.uuid4()
                    patients.append((patient, "Bench", f"Patient {len(patients)}", "fr",
                                     "email", False, True, now))  # fmt: skip
                    courses[key] = (uuid.uuid4(), patient, TREATMENT, staff[p][0], 10,
                                    "active", now)  # fmt: skip
                course = courses[key]
                starts = datetime.combine(day, datetime.min.time().replace(hour=9), ZONE)
                starts = (starts + timedelta(minutes=30 * slot)).astimezone(UTC)
                status = "completed" if day < today else "booked"
                sessions.append((uuid.uuid4(), course[0], course[1], week % 10 + 1, staff[p][0],
                                 rooms[p][0], starts, starts + timedelta(minutes=30), status,
                                 False, now, now))  # fmt: skip
    return {
        "practitioners": staff,
        "rooms": rooms,
        "working_hours": hours,
        "patients": patients,
        "courses": list(courses.values()),
        "sessions": sessions,
    }


COLUMNS = {
    "practitioners": ["id", "name", "created_at"],
    "rooms": ["id", "name", "created_at"],
    "working_hours": ["practitioner_id", "weekday", "start", "end"],
    "patients": [
        "id",
        "first_name",
        "last_name",
        "language",
        "preferred_channel",
        "consent_sms",
        "consent_email",
        "created_at",
    ],
    "courses": [
        "id",
        "patient_id",
        "treatment_code",
        "practitioner_id",
        "sessions_planned",
        "status",
        "created_at",
    ],
    "sessions": [
        "id",
        "course_id",
        "patient_id",
        "sequence",
        "practitioner_id",
        "room_id",
        "starts_at",
        "ends_at",
        "status",
        "stock_at_risk",
        "created_at",
        "updated_at",
    ],
}


KIT = ("caffeine", "vitamin-blend")  # the arms' kit: one vial of each a session
INVENTORY_COLUMNS = {
    "lots": ["id", "product_code", "lot_number", "lot_key", "expires_on", "quantity", "consumed",
             "status", "received_at"],
    "sessions": ["session_id", "course_id", "patient_id", "treatment_code", "sequence",
                 "sessions_planned", "starts_at", "session_on", "status", "as_of"],
    "consumptions": ["id", "session_id", "patient_id", "product_code", "lot_id", "lot_number",
                     "lot_key", "quantity", "consumed_at"],
}  # fmt: skip


def _inventory_rows(sessions: list[tuple[Any, ...]]) -> dict[str, list[tuple[Any, ...]]]:
    """Inventory's copy of the sessions, a vial of each kit product consumed per completed
    one, from a lot per product and 30-day block that expires at the block's end with 5 vials
    left unused (the expiry waste report's rows)."""
    now = datetime.now(UTC)
    used: dict[tuple[str, int], list[tuple[Any, ...]]] = {}
    copies = []
    for sid, course, patient, sequence, _, _, starts, _, status, *_ in sessions:
        day = starts.astimezone(ZONE).date()
        copies.append((sid, course, patient, TREATMENT, sequence, 10, starts, day, status, now))
        if status == "completed":
            for product in KIT:
                used.setdefault((product, day.toordinal() // 30), []).append((sid, patient, starts))
    lots, consumptions = [], []
    for (product, block), uses in used.items():
        lot_id, number = uuid.uuid4(), f"{product}-{block}".upper()
        expires_on = date.fromordinal(block * 30 + 29)
        lots.append((lot_id, product, number, number.casefold(), expires_on, len(uses) + 5,
                     len(uses), "available", now))  # fmt: skip
        consumptions += [(uuid.uuid4(), sid, patient, product, lot_id, number, number.casefold(),
                          1, starts) for sid, patient, starts in uses]  # fmt: skip
    return {"lots": lots, "sessions": copies, "consumptions": consumptions}


async def _copy(
    url: str, rows: dict[str, list[tuple[Any, ...]]], columns: dict[str, list[str]]
) -> None:
    conn = await asyncpg.connect(dsn_of(url))
    try:
        for table, records in rows.items():
            await conn.copy_records_to_table(table, records=records, columns=columns[table])
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def fill(urls: dict[str, str], today: date, days: int) -> int:
    """Migrate the clinic's databases and fill scheduling's and inventory's; the number of
    sessions."""
    await asyncio.to_thread(migrations.upgrade, "scheduling:migrations", urls["scheduling"])
    await asyncio.to_thread(migrations.upgrade, "inventory:migrations", urls["inventory"])
    await asyncio.to_thread(migrations.upgrade, "notifications:migrations", urls["notifications"])
    rows = _rows(today, days)
    await _copy(urls["scheduling"], rows, COLUMNS)
    await _copy(urls["inventory"], _inventory_rows(rows["sessions"]), INVENTORY_COLUMNS)
    return len(rows["sessions"])


async def current_patient(url: str) -> str:
    """The patient whose course has the session nearest now."""
    conn = await asyncpg.connect(dsn_of(url))
    try:
        found = await conn.fetchval(
            "SELECT patient_id FROM sessions ORDER BY abs(extract(epoch FROM starts_at - now()))"
            " LIMIT 1"
        )
    finally:
        await conn.close()
    return str(found)


async def signed_in(base_url: str) -> httpx.AsyncClient:
    """A client signed in to the dashboard as its first admin, through the sign-in form."""
    client = httpx.AsyncClient(base_url=base_url, timeout=60)
    form = await client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None, "the sign-in form carries no CSRF token"
    answer = await client.post(
        "/signin",
        data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": token.group(1)},
    )
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in answered {answer.status_code}: {answer.text[:200]}")
    return client


async def timed(client: httpx.AsyncClient, path: str, params: dict[str, str]) -> float:
    began = time.perf_counter()
    answer = await client.get(path, params=params)
    elapsed = time.perf_counter() - began
    if answer.status_code != 200:
        raise RuntimeError(f"{path} answered {answer.status_code}: {answer.text[:200]}")
    return elapsed


async def run() -> dict[str, Any]:
    today = datetime.now(ZONE).date()
    monday = today - timedelta(days=today.weekday())
    week = {"start": monday.isoformat(), "end": (monday + timedelta(days=7)).isoformat()}
    period = {"from": (today - timedelta(days=14)).isoformat(),
              "to": (today + timedelta(days=14)).isoformat()}  # fmt: skip
    pages = {
        "html": ("/calendar", {"day": today.isoformat(), "view": "week"}),
        "events": ("/calendar/api/events", week),
    } | {f"report {r}": (f"/reports/{r}", period) for r in REPORTS}
    pages["patient"] = ("/patients/{patient}", {})
    parts = ("scheduling", "inventory", "notifications", "dashboard")
    labels = [f"{span}_{part}" for span in SPANS for part in parts]
    async with scratch_databases(*labels) as urls, rabbit_namespace() as ns:
        counts = {span: await fill({p: urls[f"{span}_{p}"] for p in parts}, today, days)
                  for span, days in SPANS.items()}  # fmt: skip
        patient = {span: await current_patient(urls[f"{span}_scheduling"]) for span in SPANS}
        running, dashboards = [], {}
        for span in SPANS:
            scheduling = service("scheduling", urls[f"{span}_scheduling"], ns)
            inventory = service(
                "inventory",
                urls[f"{span}_inventory"],
                ns,
                scheduling_url=scheduling.url,
                scan_first_after_seconds="3600",
                reconcile_first_after_seconds="3600",
            )
            notifications = service(
                "notifications",
                urls[f"{span}_notifications"],
                ns,
                scheduling_url=scheduling.url,
                reconcile_first_after_seconds="3600",
            )
            dashboards[span] = service(
                "dashboard",
                urls[f"{span}_dashboard"],
                ns,
                scheduling_url=scheduling.url,
                inventory_url=inventory.url,
                notifications_url=notifications.url,
                first_admin_email=ADMIN_EMAIL,
                first_admin_password=ADMIN_PASSWORD,
            )
            running += [scheduling, inventory, notifications, dashboards[span]]
        async with servers(*running):
            clients = {span: await signed_in(d.url) for span, d in dashboards.items()}
            try:
                times: dict[str, dict[str, list[float]]] = {p: {s: [] for s in SPANS}
                                                            for p in pages}  # fmt: skip
                for span in SPANS:  # warm-up
                    for path, params in pages.values():
                        await timed(clients[span], path.format(patient=patient[span]), params)
                for _ in range(ROUNDS):
                    for page, (path, params) in pages.items():
                        for span in SPANS:
                            at = path.format(patient=patient[span])
                            times[page][span].append(await timed(clients[span], at, params))
                week_sessions = len(
                    (await clients["year"].get(pages["events"][0], params=week)).json()["events"]
                )
            finally:
                for client in clients.values():
                    await client.aclose()
    medians = {page: {span: median(t) * 1000 for span, t in by_span.items()}
               for page, by_span in times.items()}  # fmt: skip
    return {
        "sessions": counts,
        "week_events": week_sessions,
        "median_ms": medians,
        "ratio": {page: m["year"] / m["month"] for page, m in medians.items()},
    }
