"""Rate limits for the doors anyone can knock on: sign-in and the SMS provider's webhooks.

A sliding window per key (a client address, an account): at most `requests` in any
`per_seconds`. Refusals are 429 problem+json with `Retry-After`. The stored limiter also takes
other rules (the dashboard's growing sign-in delays): anything that says how long the next
request must wait, given the times of the hits it remembers.

Two places keep the counts. `RateLimiter` keeps them in the process: free to ask, but each
replica counts its own, so it suits a flood guard that must cost less than the work it protects
(webhooks). `StoredRateLimiter` keeps them in the service's database, so every replica shares
one count: what a password-guessing limit needs.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared.db import Database, UTCDateTime, utcnow
from clinic_shared.errors import TooManyRequests

log = logging.getLogger(__name__)

MAX_KEYS = 10_000


@dataclass(frozen=True)
class Limit:
    requests: int
    per_seconds: float

    def __post_init__(self) -> None:
        if self.requests < 1 or self.per_seconds <= 0:
            raise ValueError("a limit needs at least one request in a positive window")

    @property
    def memory(self) -> timedelta:
        return timedelta(seconds=self.per_seconds)

    def wait(self, times: Sequence[datetime], now: datetime) -> timedelta:
        """Full once `requests` hits are in the window; the oldest of them leaves it first."""
        if len(times) < self.requests:
            return timedelta(0)
        return times[-self.requests] + self.memory - now


class StoredRule(Protocol):
    """What a `StoredRateLimiter` enforces: how long hits are remembered, and how long the next
    request must still wait given the remembered hits' times, oldest first (zero or less: go)."""

    @property
    def memory(self) -> timedelta: ...

    def wait(self, times: Sequence[datetime], now: datetime) -> timedelta: ...


class RateLimiter:
    """Counts kept in this process, bounded by forgetting the least recently seen keys."""

    def __init__(
        self,
        limit: Limit,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
        refusal: str = "Too many requests. Try again later.",
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._max_keys = max_keys
        self._refusal = refusal
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def _window(self, key: str) -> deque[float]:
        now = self._clock()
        times = self._seen.pop(key, None) or deque()
        while times and times[0] <= now - self.limit.per_seconds:
            times.popleft()
        self._seen[key] = times  # most recently seen last
        while len(self._seen) > self._max_keys:
            self._seen.popitem(last=False)
        return times

    def hit(self, key: str) -> None:
        """Count one request for `key`; when its window is full, refuse it and count nothing."""
        times = self._window(key)
        if len(times) >= self.limit.requests:
            wait = times[0] + self.limit.per_seconds - self._clock()
            raise TooManyRequests(self._refusal, retry_after_seconds=max(1, math.ceil(wait)))
        times.append(self._clock())


def rate_limit_table(metadata: sa.MetaData) -> sa.Table:
    """The hits a `StoredRateLimiter` counts: one row per counted request, its key hashed."""
    return sa.Table(
        "rate_limit_hits",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("limiter", sa.String(32), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Index("ix_rate_limit_hits_key", "limiter", "key_hash", "at"),
        sa.Index("ix_rate_limit_hits_at", "limiter", "at"),
    )


class StoredRateLimiter:
    """A rule (such as a sliding window) counted in the database, so every replica shares it.

    A hit counts and checks in one transaction, serialised per key (a transaction-scoped
    advisory lock), so concurrent requests on several replicas cannot all slip
    past the rule. Keys are stored as SHA-256 hashes: no address or account name at rest.
    """

    def __init__(
        self,
        db: Database,
        table: sa.Table,
        name: str,
        rule: StoredRule,
        *,
        clock: Callable[[], datetime] = utcnow,
        refusal: str = "Too many requests. Try again later.",
    ) -> None:
        self.rule = rule
        self._db = db
        self._table = table
        self._name = name
        self._clock = clock
        self._refusal = refusal
        self._pruned_at: datetime | None = None

    def _hash(self, key: str) -> str:
        return hashlib.sha256(f"{self._name}:{key}".encode()).hexdigest()

    async def hit(self, key: str) -> list[datetime]:
        """Count one request for `key`: the times of its remembered hits, this one last. When the
        rule says wait, refuse it and count nothing."""
        table, now, key_hash = self._table, self._clock(), self._hash(key)
        mine = sa.and_(table.c.limiter == self._name, table.c.key_hash == key_hash)
        async with self._db.session() as session, session.begin():
            lock = sa.func.hashtextextended(key_hash, 0)
            await session.execute(sa.select(sa.func.pg_advisory_xact_lock(lock)))
            times = list(
                await session.scalars(
                    sa.select(table.c.at)
                    .where(mine, table.c.at > now - self.rule.memory)
                    .order_by(table.c.at)
                )
            )
            wait = self.rule.wait(times, now).total_seconds()
            if wait > 0:
                raise TooManyRequests(self._refusal, retry_after_seconds=max(1, math.ceil(wait)))
            await session.execute(
                sa.insert(table).values(limiter=self._name, key_hash=key_hash, at=now)
            )
        await self._prune(now)
        return [*times, now]

    async def forget(self, key: str, session: AsyncSession) -> None:
        """Clear `key`'s count in `session`'s transaction (a right password clears the account's
        earlier mistakes when its sign-in commits)."""
        table = self._table
        await session.execute(
            sa.delete(table).where(
                table.c.limiter == self._name, table.c.key_hash == self._hash(key)
            )
        )

    async def _prune(self, now: datetime) -> None:
        """Delete hits older than the rule's memory, at most once per memory per process: the
        table holds about one memory's worth of requests, however many keys have come and gone."""
        if self._pruned_at is not None and now - self._pruned_at < self.rule.memory:
            return
        self._pruned_at = now
        table = self._table
        expired = (
            sa.select(table.c.id)
            .where(table.c.limiter == self._name, table.c.at <= now - self.rule.memory)
            .limit(10_000)
            .with_for_update(skip_locked=True)  # replicas pruning at once take turns, no deadlock
        )
        try:
            async with self._db.session() as session, session.begin():
                await session.execute(sa.delete(table).where(table.c.id.in_(expired)))
        except Exception as exc:  # the hit is counted; a prune can wait for the next window
            log.warning("rate limit prune failed", extra={"error": type(exc).__name__})
            self._pruned_at = None


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limited(attribute: str) -> Callable[[Request], Awaitable[None]]:
    """A route dependency: one hit per request on `app.state.<attribute>`, by client address."""

    async def dependency(request: Request) -> None:
        limiter: RateLimiter = getattr(request.app.state, attribute)
        limiter.hit(client_address(request))

    return dependency
