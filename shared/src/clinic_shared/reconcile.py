"""What inventory and notifications share to reconcile their projection of scheduling's
sessions: the owner's session list read over HTTP, the lease one replica runs under, and the
drift report (counted by kind, logged, on /readyz and as a Prometheus counter).

Each service's own comparison and repair are in its `service_layer/reconcile.py`.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx
import sqlalchemy as sa
from fastapi import APIRouter, Depends
from pydantic import BaseModel, ValidationError

from clinic_shared.auth import require_roles
from clinic_shared.context import message_context, new_id
from clinic_shared.contracts.sessions import SessionState, SessionStatesPage
from clinic_shared.db import Database, utcnow
from clinic_shared.deps import RuntimeDep
from clinic_shared.errors import Conflict, ServiceUnavailable
from clinic_shared.runtime import ServiceRuntime, Worker
from clinic_shared.tokens import Role, mint_token

log = logging.getLogger(__name__)

READY_KEY = "reconciliation"
"""Where /readyz shows the last run's report."""


@dataclass
class DriftReport:
    """Sessions found drifted, and repaired, by kind of drift."""

    started_at: datetime = field(default_factory=utcnow)
    checked: int = 0
    found: Counter[str] = field(default_factory=Counter)
    repaired: Counter[str] = field(default_factory=Counter)
    finished_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "checked": self.checked,
            "found": dict(sorted(self.found.items())),
            "repaired": dict(sorted(self.repaired.items())),
        }


class OwnerSessions:
    """Scheduling's `GET /v1/sessions/states`, page after page, with a short-lived admin token
    this service mints for itself (a timer has no caller whose token it could pass on)."""

    def __init__(
        self,
        base_url: str,
        *,
        secret: str,
        issuer: str,
        caller: str,
        timeout: float,
        page_size: int,
    ) -> None:
        self._url = f"{base_url.rstrip('/')}/v1/sessions/states"
        self._secret, self._issuer, self._caller = secret, issuer, caller
        self._timeout = timeout
        self._page_size = page_size

    async def pages(self) -> AsyncIterator[list[SessionState]]:
        token = mint_token(
            self._secret,
            role=Role.ADMIN,
            subject=f"{self._caller}-reconcile",
            issuer=self._issuer,
            ttl=timedelta(minutes=10),
        )
        headers = {"Authorization": f"Bearer {token}"}
        params: dict[str, Any] = {"limit": self._page_size}
        async with httpx.AsyncClient(timeout=self._timeout, headers=headers) as client:
            while True:
                page = await self._page(client, params)
                if page.items:
                    yield page.items
                if page.next is None:
                    return
                params["after"] = page.next

    async def _page(self, client: httpx.AsyncClient, params: dict[str, Any]) -> SessionStatesPage:
        try:
            response = await client.get(self._url, params=params)
        except httpx.HTTPError as exc:
            raise _unavailable("did not answer") from exc
        if response.status_code != 200:
            raise _unavailable(f"answered {response.status_code}")
        try:
            return SessionStatesPage.model_validate_json(response.content)
        except ValidationError as exc:
            raise _unavailable("gave a session list that cannot be read") from exc


def _unavailable(why: str) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"The scheduling service {why} when asked for its sessions; nothing was reconciled. "
        "Try again shortly.",
        service="scheduling",
    )


Drifted = Callable[[list[SessionState]], Awaitable[list[tuple[SessionState, str]]]]
"""Which of these sessions the projection has wrong, and how (the kind of drift)."""
ROUNDS = 3
"""A session may drift in several ways at once (moved and renumbered): one repair each."""


async def reconcile_projection(
    owner: OwnerSessions,
    report: DriftReport,
    *,
    drifted: Drifted,
    apply: Callable[[SessionState], Awaitable[None]],
) -> None:
    """Compare every session the owner lists with the projection; apply the owner's facts to
    each one drifted until it no longer is (at most ROUNDS times); count both by kind.

    A session is counted repaired only when, read again, it no longer drifts: facts older than
    the projection are refused by its guards and leave it found, not repaired.
    """
    async for page in owner.pages():
        report.checked += len(page)
        for state, kind in await drifted(page):
            report.found[kind] += 1
            for _ in range(ROUNDS):
                await apply(state)
                if not await drifted([state]):
                    report.repaired[kind] += 1
                    break
            else:
                log.warning(
                    "session drift not repaired",
                    extra={"session_id": str(state.session_id), "kind": kind},
                )


def lease_key(name: str) -> int:
    """A stable 63-bit advisory lock key for `name` (the same in every replica)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") >> 1


@asynccontextmanager
async def lease(db: Database, name: str) -> AsyncIterator[bool]:
    """Hold the lease `name` for the block when no other replica holds it; yields whether held.

    A PostgreSQL session-level advisory lock on a connection kept for the block: hand-written
    SQL because SQLAlchemy has no construct for it. The server drops it with the connection, so
    a replica that dies mid-run frees it (`tests/integration/test_reconcile*.py` check a second
    run is refused while one holds it).
    """
    key = lease_key(name)
    async with db.engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        held = bool(
            await autocommit.scalar(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
        )
        try:
            yield held
        finally:
            if held:
                await autocommit.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})


Reconciler = Callable[[DriftReport], Awaitable[None]]


async def run_reconciliation(runtime: ServiceRuntime, reconcile: Reconciler) -> DriftReport:
    """Run `reconcile` under the service's lease; count, log and show what it found and repaired.

    Conflict when another replica (or request) is reconciling now.
    """
    async with lease(runtime.db, f"{runtime.name}:reconcile") as held:
        if not held:
            raise Conflict("A reconciliation is running already; its report will be on /readyz.")
        report = DriftReport()
        # One id for the run: what its repairs emit or record names it as cause.
        run_id = new_id()
        with message_context(run_id, run_id):
            await reconcile(report)
        report.finished_at = utcnow()
    for outcome, counts in (("found", report.found), ("repaired", report.repaired)):
        for kind, count in counts.items():
            runtime.metrics.reconcile_drift.labels(kind, outcome).inc(count)
    runtime.reports[READY_KEY] = report.as_dict()
    log.info("projection reconciled", extra={"reconciliation": report.as_dict()})
    return report


class ReconcilingSettings(Protocol):
    """What a consumer's settings give its reconciliation: where scheduling is, and when."""

    scheduling_url: str
    peer_timeout_seconds: float
    reconcile_first_after_seconds: float
    reconcile_interval_seconds: float
    service_name: str
    jwt_issuer: str

    @property
    def jwt_secret(self) -> Any: ...


RepairSessions = Callable[[ServiceRuntime, "OwnerSessions", DriftReport], Awaitable[None]]
OWNER_PAGE_SIZE = 200


def wired(repair: RepairSessions) -> Callable[[ServiceRuntime], Reconciler]:
    """A consumer's reconciliation: scheduling's session list, read with a token the service
    mints for itself, compared and repaired by the service's own `repair`."""

    def reconciler(runtime: ServiceRuntime) -> Reconciler:
        settings: ReconcilingSettings = runtime.settings  # type: ignore[assignment]
        owner = OwnerSessions(
            settings.scheduling_url,
            secret=settings.jwt_secret.get_secret_value(),
            issuer=settings.jwt_issuer,
            caller=settings.service_name,
            timeout=settings.peer_timeout_seconds,
            page_size=OWNER_PAGE_SIZE,
        )

        async def reconcile(report: DriftReport) -> None:
            await repair(runtime, owner, report)

        return reconcile

    return reconciler


def reconcile_interval(runtime: ServiceRuntime) -> tuple[float, float]:
    """The first run's delay and the interval after it, in seconds, from the settings."""
    settings: ReconcilingSettings = runtime.settings  # type: ignore[assignment]
    return settings.reconcile_first_after_seconds, settings.reconcile_interval_seconds


def reconcile_worker(
    reconcile: Callable[[ServiceRuntime], Reconciler],
    *,
    interval: Callable[[ServiceRuntime], tuple[float, float]],
) -> Worker:
    """A background loop: reconcile after the first delay, then every interval (both seconds,
    from `interval(runtime)`); a replica that finds the lease held skips its turn."""

    async def loop(runtime: ServiceRuntime) -> None:
        first, every = interval(runtime)
        if not await runtime.idle(first):
            return
        while True:
            try:
                await run_reconciliation(runtime, reconcile(runtime))
            except Conflict:
                log.info("reconciliation skipped: another replica is running it")
            except Exception:
                log.exception("reconciliation failed; next run at the usual time")
            if not await runtime.idle(every):
                return

    return loop


class ReconciliationPublic(BaseModel):
    """What a reconciliation checked, and the drift it found and repaired, by kind."""

    started_at: datetime
    finished_at: datetime | None
    checked: int
    found: dict[str, int]
    repaired: dict[str, int]


def reconcile_router(reconcile: Callable[[ServiceRuntime], Reconciler]) -> APIRouter:
    """`POST /v1/admin/reconcile` (admin): reconcile now and answer the report; 409 while
    another run holds the lease, 503 when scheduling cannot answer."""
    router = APIRouter(prefix="/v1/admin", tags=["admin"])

    @router.post(
        "/reconcile",
        response_model=ReconciliationPublic,
        dependencies=[Depends(require_roles(Role.ADMIN))],
    )
    async def reconcile_now(runtime: RuntimeDep) -> ReconciliationPublic:
        report = await run_reconciliation(runtime, reconcile(runtime))
        return ReconciliationPublic.model_validate(report.as_dict())

    return router


async def run_once(
    runtime: ServiceRuntime, reconcile: Callable[[ServiceRuntime], Reconciler]
) -> int:
    """The command line's run: reconcile once, print the report as JSON; 0, or 1 when some
    drift was left unrepaired."""
    try:
        report = await run_reconciliation(runtime, reconcile(runtime))
    finally:
        await runtime.db.dispose()
    print(ReconciliationPublic.model_validate(report.as_dict()).model_dump_json(indent=2))
    return 0 if report.found == report.repaired else 1
