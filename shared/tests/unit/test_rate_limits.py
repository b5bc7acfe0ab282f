"""Sign-in and webhooks are rate limited: the next request past the limit gets 429 with a wait."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI

from clinic_shared.auth import TokenVerifier
from clinic_shared.errors import TooManyRequests
from clinic_shared.paging import MAX_LIMIT, Page, paged
from clinic_shared.ratelimit import Limit, RateLimiter, limited
from clinic_shared.web import create_app

from .test_http_problems import DummyRuntime


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_request_past_the_limit_is_refused_and_says_how_long_to_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(Limit(requests=3, per_seconds=60), clock=clock)
    for _ in range(3):
        limiter.hit("10.0.0.1")
        clock.now += 10

    with pytest.raises(TooManyRequests) as refused:
        limiter.hit("10.0.0.1")

    assert refused.value.status == 429
    assert refused.value.headers() == {"Retry-After": "30"}  # the first hit leaves at t+60


def test_the_window_slides_so_a_client_that_waits_gets_in_again() -> None:
    clock = Clock()
    limiter = RateLimiter(Limit(requests=2, per_seconds=60), clock=clock)
    limiter.hit("a")
    clock.now += 30
    limiter.hit("a")
    clock.now += 31  # the first hit is now more than 60 s old

    limiter.hit("a")
    with pytest.raises(TooManyRequests):
        limiter.hit("a")


def test_one_client_using_its_limit_up_leaves_another_untouched() -> None:
    limiter = RateLimiter(Limit(requests=1, per_seconds=60), clock=Clock())
    limiter.hit("a")

    limiter.hit("b")
    with pytest.raises(TooManyRequests):
        limiter.hit("a")


def test_memory_is_bounded_by_forgetting_the_least_recently_seen_keys() -> None:
    limiter = RateLimiter(Limit(requests=1, per_seconds=60), clock=Clock(), max_keys=100)
    limiter.hit("first")
    for n in range(100):
        limiter.hit(f"client-{n}")

    limiter.hit("first")  # forgotten: counted afresh
    assert len(limiter._seen) == 100


def test_a_limit_must_allow_something() -> None:
    with pytest.raises(ValueError, match="at least one request"):
        Limit(requests=0, per_seconds=60)


router = APIRouter()


@router.post("/knock", dependencies=[Depends(limited("knock_limiter"))])
async def knock() -> dict[str, str]:
    return {"ok": "yes"}


@router.get("/rows")
async def rows(page: Annotated[Page, paged(20)]) -> dict[str, int]:
    return {"limit": page.limit, "offset": page.offset}


@pytest.fixture
def client() -> Any:
    verifier = TokenVerifier("unit-test-secret-0123456789-abcdefghijklmnop")
    app: FastAPI = create_app(
        title="t", runtime=DummyRuntime(), verifier=verifier, routers=[router]
    )
    app.state.knock_limiter = RateLimiter(Limit(requests=2, per_seconds=60))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_over_the_limit_an_endpoint_answers_429_problem_json_with_retry_after(client) -> None:
    async with client:
        answers = [(await client.post("/knock")) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    refused = answers[2]
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["retry_after_seconds"] == int(refused.headers["retry-after"])


async def test_a_page_larger_than_the_cap_is_refused_naming_limit(client) -> None:
    async with client:
        too_big = await client.get("/rows", params={"limit": MAX_LIMIT + 1})
        default = await client.get("/rows")
        negative = await client.get("/rows", params={"offset": -1})

    assert too_big.status_code == 422
    assert [e["field"] for e in too_big.json()["errors"]] == ["query.limit"]
    assert default.json() == {"limit": 20, "offset": 0}
    assert [e["field"] for e in negative.json()["errors"]] == ["query.offset"]
