"""Sign-in limits counted in the database hold across replicas and under concurrent guesses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from clinic_shared.db import Database
from clinic_shared.errors import TooManyRequests
from clinic_shared.ratelimit import Limit, StoredRateLimiter, rate_limit_table

metadata = sa.MetaData()
hits = rate_limit_table(metadata)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
async def database_url(postgres_databases) -> str:
    return str(await postgres_databases.fresh("limits", metadata=metadata))


@pytest.fixture
async def replicas(database_url: str) -> AsyncIterator[Callable[[], Database]]:
    """Each call: one more process's connection pool on the same database."""
    opened: list[Database] = []

    def replica() -> Database:
        opened.append(Database(database_url))
        return opened[-1]

    yield replica
    for db in opened:
        await db.dispose()


def limiter(db: Database, requests: int, clock: Clock | None = None) -> StoredRateLimiter:
    limit = Limit(requests=requests, per_seconds=60)
    if clock is None:
        return StoredRateLimiter(db, hits, "signin-account", limit)
    return StoredRateLimiter(db, hits, "signin-account", limit, clock=clock)


async def test_the_hit_past_the_limit_is_refused_and_says_how_long_to_wait(replicas) -> None:
    clock = Clock()
    accounts = limiter(replicas(), 3, clock)
    for _ in range(3):
        await accounts.hit("reception@clinic.example")
        clock.advance(10)

    with pytest.raises(TooManyRequests) as refused:
        await accounts.hit("reception@clinic.example")

    assert refused.value.headers() == {"Retry-After": "30"}  # the first hit leaves at t+60


async def test_the_window_slides_and_a_refused_hit_is_not_counted(replicas) -> None:
    clock = Clock()
    accounts = limiter(replicas(), 2, clock)
    await accounts.hit("a")
    clock.advance(30)
    await accounts.hit("a")
    with pytest.raises(TooManyRequests):
        await accounts.hit("a")
    clock.advance(31)  # the first hit is now more than 60 s old

    await accounts.hit("a")  # had the refused hit counted, this one would wait too
    with pytest.raises(TooManyRequests):
        await accounts.hit("a")


async def test_a_count_made_on_one_replica_holds_on_another(replicas) -> None:
    first, second = limiter(replicas(), 3), limiter(replicas(), 3)
    await first.hit("reception@clinic.example")
    await second.hit("reception@clinic.example")
    await first.hit("reception@clinic.example")

    with pytest.raises(TooManyRequests):
        await second.hit("reception@clinic.example")
    await second.hit("admin@clinic.example")  # another key is untouched


async def test_concurrent_guesses_on_two_replicas_let_exactly_the_limit_through(
    replicas,
) -> None:
    guards = [limiter(replicas(), 5), limiter(replicas(), 5)]

    outcomes = await asyncio.gather(
        *(guards[n % 2].hit("reception@clinic.example") for n in range(24)),
        return_exceptions=True,
    )

    counted = [o for o in outcomes if isinstance(o, list)]  # each: the hits counted so far
    refused = [o for o in outcomes if isinstance(o, TooManyRequests)]
    assert (len(counted), len(refused)) == (5, 19)
    assert sorted(len(times) for times in counted) == [1, 2, 3, 4, 5]


async def test_forgetting_a_key_clears_its_count_only(replicas) -> None:
    db = replicas()
    accounts = limiter(db, 1)
    await accounts.hit("a")
    await accounts.hit("b")

    async with db.session() as session, session.begin():
        await accounts.forget("a", session)

    await accounts.hit("a")
    with pytest.raises(TooManyRequests):
        await accounts.hit("b")


async def test_the_table_holds_no_account_or_address_in_clear(replicas) -> None:
    db = replicas()
    await limiter(db, 5).hit("reception@clinic.example")
    await StoredRateLimiter(db, hits, "signin-address", Limit(5, 60)).hit("203.0.113.9")

    async with db.session() as session:
        stored = (await session.execute(sa.select(hits.c.limiter, hits.c.key_hash))).all()

    assert {row.limiter for row in stored} == {"signin-account", "signin-address"}
    text = repr(stored)
    assert "reception" not in text
    assert "203.0.113" not in text


async def test_hits_older_than_the_window_are_deleted(replicas) -> None:
    clock = Clock()
    db = replicas()
    accounts = limiter(db, 5, clock)
    for n in range(4):
        await accounts.hit(f"guess{n}@clinic.example")
    clock.advance(61)

    await accounts.hit("later@clinic.example")

    async with db.session() as session:
        left = (await session.scalars(sa.select(hits.c.at))).all()
    assert left == [clock.now]
