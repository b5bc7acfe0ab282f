"""Section 2: bookings until their reservations and reminders are visible, against raw aio-pika.

The three services run as their containers run them (`python -m <service>`, PostgreSQL,
RabbitMQ) on the server core; the load generator and the watcher (this process) on the other.
A booking is visible once inventory holds a reservation for it and notifications has its
reminder; the watcher polls both databases every POLL seconds, so latencies are exact to
within POLL.

Issue 27's latency a clinic feels: paced at 50 bookings a second, each hop's p99 from the
booking's answer to its reservation in inventory and to its messages in notifications (the
reminder rows, written in the confirmation's own transaction), against the bare chain's same
hops at the same pace, its tables watched by the same watcher (so both carry the same polling
error).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from chain_baseline import TABLES
from clinic import Clinic, auth_header, booking_bodies, headers, open_clinic
from common import (
    RESULTS,
    SERVER_CORES,
    Server,
    dsn_of,
    median,
    percentile,
    rabbit_namespace,
    run_json,
    run_loadgen,
    scratch_databases,
    servers,
    service,
)

from clinic_shared.auth import Role
from clinic_shared.contracts import Envelope
from clinic_shared.contracts.events import SessionBooked

POLL = 0.02
# Each poll reads the rows written since the wave began ($1), not the whole table: at the paced
# wave, which comes last, whole tables cost PostgreSQL about a fifth of a core and the watcher
# a seventh (measured 2026-12-08), load on the machine whose latency is being measured.
SEEN = {
    "inventory": "SELECT DISTINCT session_id FROM reservations WHERE created_at >= $1",
    "notifications": "SELECT DISTINCT session_id FROM messages "
    "WHERE kind = 'reminder' AND created_at >= $1",
}
# The bare chain's same two writes (bench/chain_baseline.py's tables).
CHAIN_SEEN = {
    "inventory": "SELECT session_id FROM chain_reservations WHERE created_at >= $1",
    "notifications": "SELECT session_id FROM chain_messages WHERE created_at >= $1",
}
HOPS = {"inventory": "reservation", "notifications": "confirmation"}
FELT_RATE = 50  # bookings a second, issue 27's pace
FELT_TARGET = 2.0  # each hop's p99 at most twice the bare chain's


def payload_size() -> int:
    """Bytes of one scheduling.session.booked envelope, as the relay publishes it."""
    ids = {k: uuid.uuid4() for k in ("session_id", "course_id", "patient_id")}
    starts = datetime.now(UTC)
    event = SessionBooked(
        **ids, practitioner_id=uuid.uuid4(), room_id=uuid.uuid4(), treatment_code="cellulite-arms",
        sequence=1, sessions_planned=8, starts_at=starts, ends_at=starts + timedelta(minutes=15),
    )  # fmt: skip
    return len(
        Envelope.wrap(event, producer="scheduling", correlation_id=str(uuid.uuid4())).to_bytes()
    )


class Watcher:
    """First moment each session was seen in each consuming service's database."""

    def __init__(self, dsns: dict[str, str], queries: dict[str, str] = SEEN) -> None:
        self.dsns = dsns
        self.queries = queries
        self.seen: dict[str, dict[str, float]] = {name: {} for name in dsns}
        self.since = datetime.now(UTC)
        """The rows polled are those written from then on (`begin` moves it to a wave's start)."""

    def begin(self) -> None:
        """A wave starts: poll only what is written from now on (what it books)."""
        self.since = datetime.now(UTC)

    async def watch(self, stop: asyncio.Event) -> None:
        conns = {name: await asyncpg.connect(dsn) for name, dsn in self.dsns.items()}
        try:
            while not stop.is_set():
                for name, conn in conns.items():
                    now = time.time()
                    for row in await conn.fetch(self.queries[name], self.since):
                        self.seen[name].setdefault(str(row[0]), now)
                await asyncio.sleep(POLL)
        finally:
            for conn in conns.values():
                await conn.close()

    def visible(self, session: str) -> float | None:
        times = [seen.get(session) for seen in self.seen.values()]
        return None if None in times else max(t for t in times if t is not None)

    async def all_visible(self, sessions: Sequence[str]) -> None:
        deadline = time.monotonic() + 300
        while any(self.visible(s) is None for s in sessions):
            if time.monotonic() > deadline:
                raise RuntimeError("bookings not visible within 300 s")
            await asyncio.sleep(POLL)

    def hops(self, answered: Sequence[tuple[str, float]]) -> dict[str, dict[str, float]]:
        """Per hop, p50 and p99 from each booking's answer (wall time) to its row there."""
        found = {}
        for name, hop in HOPS.items():
            waits = [self.seen[name][session] - at for session, at in answered]
            found[hop] = {
                "p50_ms": median(waits) * 1000,
                "p99_ms": percentile(waits, 0.99) * 1000,
            }
        return found


async def wave(
    services: Sequence[Server], watcher: Watcher, bodies: str, rate: float = 0.0
) -> dict[str, Any]:
    """Book every body, wait until each booking is visible; end-to-end figures, and the CPU
    each service spent per booking (which the other helpers' load on the machine moves less
    than it moves the rates)."""
    scheduling = services[0]
    watcher.begin()
    cpu = {s.name: s.cpu() for s in services}
    rate_args = ["--rate", str(rate)] if rate else []
    result = await run_loadgen(
        "--port", str(scheduling.port), "--path", "/v1/sessions", "--bodies", bodies,
        "--header", auth_header(Role.RECEPTIONIST), "--duration", "600", "--record", *rate_args,
    )  # fmt: skip
    if result["errors"]:
        raise RuntimeError(f"booking errors: {result['error_samples']}")
    records = result["records"]
    await watcher.all_visible([r[3] for r in records])
    # the consumers' work is done once every booking is visible; their relays' last
    # publishes are too small to matter
    cpu = {s.name: (s.cpu() - cpu[s.name]) * 1000 / len(records) for s in services}
    latencies = [watcher.visible(r[3]) - r[0] for r in records]  # type: ignore[operator]
    first = min(r[0] for r in records)
    last = max(watcher.visible(r[3]) for r in records)  # type: ignore[type-var]
    return {
        "bookings": len(records),
        "per_second": len(records) / (last - first),
        "booking_per_second": result["per_second"],
        "p50_ms": median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "cpu_ms_per_booking": cpu,
        "hops": watcher.hops([(r[3], r[1]) for r in records]),
    }


async def chain_paced(chain_dsn: str, size: int, bookings: int) -> dict[str, Any]:
    """The bare chain paced at FELT_RATE, each hop timed by a watcher of its own tables."""
    conn = await asyncpg.connect(chain_dsn)
    try:
        await conn.execute(TABLES)  # so the watcher can read them before the chain writes
    finally:
        await conn.close()
    watcher = Watcher({name: chain_dsn for name in CHAIN_SEEN}, CHAIN_SEEN)
    stop = asyncio.Event()
    watching = asyncio.create_task(watcher.watch(stop))
    try:
        result = await run_json(
            "chain_baseline.py", "--dsn", chain_dsn, "--bookings", str(bookings),
            "--size", str(size), "--rate", str(FELT_RATE), "--record", cores=SERVER_CORES,
        )  # fmt: skip
        answered = [(session, at) for session, at in result.pop("records")]
        await watcher.all_visible([session for session, _ in answered])
    finally:
        stop.set()
        await watching
    return result | {"hops": watcher.hops(answered)}


def felt(ours: dict[str, Any], chain: dict[str, Any]) -> dict[str, Any]:
    """Each hop's p99, ours against the bare chain's at the same pace."""
    return {
        hop: {
            "ours_p99_ms": ours["hops"][hop]["p99_ms"],
            "chain_p99_ms": chain["hops"][hop]["p99_ms"],
            "ratio": ours["hops"][hop]["p99_ms"] / chain["hops"][hop]["p99_ms"],
        }
        for hop in HOPS.values()
    }


async def stock_up(inventory: Server, vials: int) -> None:
    expires = (date.today() + timedelta(days=365)).isoformat()
    async with httpx.AsyncClient(base_url=inventory.url, headers=headers(Role.ADMIN)) as client:
        for n, code in enumerate(("caffeine", "vitamin-blend")):
            body = {"product_code": code, "lot_number": f"B-{n}", "quantity": vials}
            (
                await client.post("/v1/receipts", json=body | {"expires_on": expires})
            ).raise_for_status()


async def contact_known(dsn: str, patients: int) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for _ in range(300):
            if await conn.fetchval("SELECT count(*) FROM contacts") >= patients:
                return
            await asyncio.sleep(0.1)
        raise RuntimeError("notifications never learnt the patients' contacts")
    finally:
        await conn.close()


async def waves(
    clinic: Clinic,
    dsn: str,
    services: Sequence[Server],
    watcher: Watcher,
    size: int,
    bookings: int,
    rounds: int,
    paced: int,
    chain_dsn: str,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """A warm-up, then rounds of a burst of bookings, of raw aio-pika and of the raw chain,
    then a paced wave."""
    warm = await booking_bodies(clinic, dsn, 100, RESULTS / "pw.jsonl")
    await wave(services, watcher, str(warm))
    pipeline, raw, chain = [], [], []
    for n in range(rounds):
        bodies = await booking_bodies(clinic, dsn, bookings, RESULTS / f"p{n}.jsonl")
        pipeline.append(await wave(services, watcher, str(bodies)))
        raw.append(await run_json(
            "amqp_baseline.py", "--messages", str(bookings), "--size", str(size),
            cores=SERVER_CORES,
        ))  # fmt: skip
        chain.append(await run_json(
            "chain_baseline.py", "--dsn", chain_dsn, "--bookings", str(bookings),
            "--size", str(size), cores=SERVER_CORES,
        ))  # fmt: skip
    bodies = await booking_bodies(clinic, dsn, paced, RESULTS / "paced.jsonl")
    at_200 = await wave(services, watcher, str(bodies), rate=200)
    bodies = await booking_bodies(clinic, dsn, paced, RESULTS / "felt.jsonl")
    at_felt = await wave(services, watcher, str(bodies), rate=FELT_RATE)
    at_200["felt"] = felt(at_felt, await chain_paced(chain_dsn, size, paced))
    return pipeline, raw, chain, at_200


async def run(bookings: int = 300, rounds: int = 2, paced: int = 300) -> dict[str, Any]:
    size = payload_size()
    labels = ("scheduling", "inventory", "notifications")
    async with scratch_databases(*labels, "chain") as urls, rabbit_namespace() as ns:
        items = [
            service("scheduling", urls["scheduling"], ns),
            service("inventory", urls["inventory"], ns, scan_first_after_seconds="3600"),
            service("notifications", urls["notifications"], ns, dispatch_enabled="false"),
        ]
        async with servers(*items):
            scheduling, inventory, _ = items
            clinic = await open_clinic(scheduling.url, 32)
            await stock_up(inventory, 10 * (bookings * (rounds + 1) + paced))
            await contact_known(dsn_of(urls["notifications"]), len(clinic.lanes))
            idle = {s.name: s.sample_memory("idle") for s in items}
            watcher = Watcher({k: dsn_of(urls[k]) for k in ("inventory", "notifications")})
            stop = asyncio.Event()
            watching = asyncio.create_task(watcher.watch(stop))
            try:
                pipeline, raw, chain, at_200 = await waves(
                    clinic,
                    dsn_of(urls["scheduling"]),
                    items,
                    watcher,
                    size,
                    bookings,
                    rounds,
                    paced,
                    dsn_of(urls["chain"]),
                )
            finally:
                stop.set()
                await watching
            after = {s.name: s.sample_memory("after") for s in items}
    ratio = median([p["per_second"] / r["per_second"] for p, r in zip(pipeline, raw, strict=True)])
    chain_ratio = median(
        [c["per_second"] / r["per_second"] for c, r in zip(chain, raw, strict=True)]
    )
    to_chain = median(
        [p["per_second"] / c["per_second"] for p, c in zip(pipeline, chain, strict=True)]
    )
    cpu = median([sum(p["cpu_ms_per_booking"].values()) for p in pipeline])
    raw_cpu = median([r["cpu_ms_per_message"] for r in raw])
    return {
        "payload_bytes": size,
        "pipeline": pipeline,
        "raw_aio_pika": raw,
        "ratio_to_raw_aio_pika": ratio,
        "raw_chain": chain,
        "raw_chain_ratio_to_raw_aio_pika": chain_ratio,
        "ratio_to_raw_chain": to_chain,
        "raw_chain_cpu_ms_per_booking": median([c["cpu_ms_per_booking"] for c in chain]),
        "cpu_ms_per_booking": cpu,
        "raw_cpu_ms_per_message": raw_cpu,
        "cpu_ratio": raw_cpu / cpu,
        "paced_200_per_second": at_200,
        "memory_mb": {name: {"idle": idle[name], "after": after[name]} for name in idle},
    }
