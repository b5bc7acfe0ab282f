"""Growing sign-in delays that a guesser cannot turn against the account's owner."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import sqlalchemy as sa

from clinic_shared.auth import Role
from dashboard.adapters.orm import known_sign_in_sources, rate_limit_hits, sign_in_alerts
from dashboard.pages.signin import DEVICE_COOKIE
from dashboard.seed import DEMO_ACCOUNTS

from .conftest import Dashboard, csrf_of

RECEPTION = next(a for a in DEMO_ACCOUNTS if a[2] is Role.RECEPTIONIST)
EMAIL, PASSWORD = RECEPTION[1], RECEPTION[3]
ATTACKER, ELSEWHERE = "203.0.113.9", "198.51.100.7"
NINE = datetime(2030, 3, 4, 8, tzinfo=UTC)  # 09:00 at the clinic (Europe/Paris)


class Clock:
    """The dashboard's clock, moved by hand."""

    def __init__(self, dashboard: Dashboard) -> None:
        self.now = NINE
        dashboard.app.state.runtime.clock = lambda: self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@asynccontextmanager
async def browser(dashboard: Dashboard, address: str) -> AsyncIterator[Dashboard]:
    """Another browser on the running dashboard, from network address `address`."""
    transport = httpx.ASGITransport(app=dashboard.app, client=(address, 50_000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Dashboard(dashboard.app, client)


async def _guess(attacker: Dashboard, times: int) -> list[int]:
    return [(await attacker.sign_in(EMAIL, "guess")).status_code for _ in range(times)]


async def _sign_out(person: Dashboard) -> None:
    token = csrf_of((await person.client.get("/")).text)
    await person.client.post("/signout", data={"csrf_token": token})


async def test_each_wrong_password_past_the_fifth_makes_the_next_attempt_wait_longer(
    dashboard: Dashboard,
) -> None:
    clock = Clock(dashboard)
    async with browser(dashboard, ATTACKER) as attacker:
        assert await _guess(attacker, 5) == [401] * 5
        waits = []
        for minutes in (1, 2, 4):
            refused = await attacker.sign_in(EMAIL, "guess")
            assert refused.status_code == 429
            waits.append(int(refused.headers["retry-after"]))
            clock.advance(minutes=minutes)
            assert await _guess(attacker, 1) == [401]  # the wait is over: one more try

    assert waits == [60, 120, 240]


async def test_the_owner_on_their_usual_browser_signs_in_while_the_guesser_waits(
    dashboard: Dashboard,
) -> None:
    Clock(dashboard)
    await dashboard.sign_in(EMAIL, PASSWORD)
    await _sign_out(dashboard)
    device = dashboard.client.cookies[DEVICE_COOKIE]

    async with browser(dashboard, ATTACKER) as attacker, browser(dashboard, ELSEWHERE) as owner:
        assert await _guess(attacker, 6) == [401] * 5 + [429]
        owner.client.cookies.set(DEVICE_COOKIE, device)  # the same browser, on another network

        signed_in = await owner.sign_in(EMAIL, PASSWORD)
        still_waiting = await attacker.sign_in(EMAIL, PASSWORD)

    assert signed_in.status_code == 303
    assert still_waiting.status_code == 429


async def test_the_owner_from_a_recent_address_signs_in_while_the_guesser_waits(
    dashboard: Dashboard,
) -> None:
    Clock(dashboard)
    await dashboard.sign_in(EMAIL, PASSWORD)

    async with browser(dashboard, ATTACKER) as attacker, browser(dashboard, "127.0.0.1") as owner:
        assert await _guess(attacker, 6) == [401] * 5 + [429]

        signed_in = await owner.sign_in(EMAIL, PASSWORD)  # a new browser at the clinic's address
        still_waiting = await attacker.sign_in(EMAIL, "guess")

    assert signed_in.status_code == 303
    assert still_waiting.status_code == 429


async def test_an_address_unused_for_over_thirty_days_waits_like_any_other(
    dashboard: Dashboard,
) -> None:
    clock = Clock(dashboard)
    await dashboard.sign_in(EMAIL, PASSWORD)
    clock.advance(days=31)

    async with browser(dashboard, ATTACKER) as attacker, browser(dashboard, "127.0.0.1") as owner:
        await _guess(attacker, 5)

        refused = await owner.sign_in(EMAIL, PASSWORD)

    assert refused.status_code == 429


async def test_a_burst_of_guesses_after_the_wait_gets_a_single_try(dashboard: Dashboard) -> None:
    clock = Clock(dashboard)
    async with browser(dashboard, ATTACKER) as attacker:
        await _guess(attacker, 5)
        clock.advance(minutes=1)
        token = csrf_of((await attacker.client.get("/signin")).text)
        form = {"email": EMAIL, "csrf_token": token}

        guesses = (form | {"password": f"guess{n}"} for n in range(8))
        answers = await asyncio.gather(
            *(attacker.client.post("/signin", data=guess) for guess in guesses)
        )

    assert sorted(a.status_code for a in answers) == [401] + [429] * 7


async def test_the_owner_is_told_of_the_wrong_passwords_at_their_next_sign_in(
    dashboard: Dashboard,
) -> None:
    clock = Clock(dashboard)
    await dashboard.sign_in(EMAIL, PASSWORD)
    await _sign_out(dashboard)
    async with browser(dashboard, ATTACKER) as attacker:
        await _guess(attacker, 6)  # five wrong, then one refused unchecked
        clock.advance(minutes=1)
        await _guess(attacker, 1)

    signed_in = await dashboard.sign_in(EMAIL, PASSWORD)
    notice = await dashboard.client.get(signed_in.headers["location"])

    assert signed_in.headers["location"] == "/signin/notice"
    assert "6 wrong passwords were tried on your account since Mon 04 Mar 09:00." in notice.text
    assert "<h1>Wrong passwords on your account</h1>" in notice.text
    read = await dashboard.client.post("/signin/notice", data={"csrf_token": csrf_of(notice.text)})
    assert read.headers["location"] == "/"
    await _sign_out(dashboard)
    assert (await dashboard.sign_in(EMAIL, PASSWORD)).headers["location"] == "/"


async def test_admins_see_which_accounts_had_wrong_passwords_and_whether_the_owner_knows(
    dashboard: Dashboard,
) -> None:
    clock = Clock(dashboard)
    async with browser(dashboard, ATTACKER) as attacker:
        await _guess(attacker, 5)
    async with browser(dashboard, ELSEWHERE) as admin:
        await admin.sign_in_as(Role.ADMIN)
        before = await admin.client.get("/settings/staff")
        clock.advance(minutes=1)  # the owner, on a new browser, waits out the delay too
        await dashboard.sign_in(EMAIL, PASSWORD)
        notice = await dashboard.client.get("/signin/notice")
        await dashboard.client.post("/signin/notice", data={"csrf_token": csrf_of(notice.text)})
        after = await admin.client.get("/settings/staff")

    warning = "Rita Reception: 5 wrong passwords were tried since Mon 04 Mar 09:00"
    assert warning in before.text
    assert "Rita Reception has not read the notice yet." in before.text
    assert warning in after.text
    assert "Rita Reception read the notice at Mon 04 Mar 09:01." in after.text


async def test_wrong_passwords_under_the_threshold_warn_no_one(dashboard: Dashboard) -> None:
    async with browser(dashboard, ATTACKER) as attacker:
        await _guess(attacker, 4)

    signed_in = await dashboard.sign_in(EMAIL, PASSWORD)
    await _sign_out(dashboard)
    await dashboard.sign_in_as(Role.ADMIN)

    assert signed_in.headers["location"] == "/"
    assert "Wrong passwords tried" not in (await dashboard.client.get("/settings/staff")).text


async def test_the_device_cookie_is_httponly_lasts_a_year_and_outlives_signing_out(
    dashboard: Dashboard,
) -> None:
    signed_in = await dashboard.sign_in(EMAIL, PASSWORD)
    await _sign_out(dashboard)

    cookie = next(
        c for c in signed_in.headers.get_list("set-cookie") if c.startswith(f"{DEVICE_COOKIE}=")
    )
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=lax", f"max-age={365 * 24 * 3600}"} <= flags
    assert dashboard.client.cookies.get(DEVICE_COOKIE)


async def test_no_device_address_or_email_is_stored_in_clear(dashboard: Dashboard) -> None:
    Clock(dashboard)
    await dashboard.sign_in(EMAIL, PASSWORD)
    async with browser(dashboard, ATTACKER) as attacker:
        await _guess(attacker, 5)
    device = dashboard.client.cookies[DEVICE_COOKIE]

    async with dashboard.app.state.runtime.transaction() as session:
        stored = [
            (await session.execute(sa.select(table))).all()
            for table in (known_sign_in_sources, rate_limit_hits, sign_in_alerts)
        ]

    assert all(stored)
    text = repr(stored)
    for secret in (device, "127.0.0.1", ATTACKER, "reception"):
        assert secret not in text
