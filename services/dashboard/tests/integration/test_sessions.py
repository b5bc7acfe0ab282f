"""How long a sign-in lasts, and what a person sees for a wrong address."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from clinic_shared.auth import Role
from dashboard.deps import SESSION_COOKIE

from .conftest import Dashboard, csrf_of

SIGNED_IN_AT = datetime(2030, 3, 4, 8, tzinfo=UTC)  # the default lifetime is 12 hours


def _at(dashboard: Dashboard, moment: datetime) -> None:
    dashboard.app.state.runtime.clock = lambda: moment


async def test_a_session_left_unused_past_its_lifetime_signs_out(dashboard: Dashboard) -> None:
    _at(dashboard, SIGNED_IN_AT)
    await dashboard.sign_in_as(Role.RECEPTIONIST)

    _at(dashboard, SIGNED_IN_AT + timedelta(hours=12, minutes=1))

    response = await dashboard.client.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/signin"


async def test_a_made_up_or_signed_out_session_cookie_opens_nothing(dashboard: Dashboard) -> None:
    await dashboard.sign_in_as(Role.ADMIN)
    real = dashboard.client.cookies[SESSION_COOKIE]
    await dashboard.client.post(
        "/signout", data={"csrf_token": csrf_of((await dashboard.client.get("/")).text)}
    )

    for cookie in (real, real[:-2] + "xx", "a" * len(real), ""):
        dashboard.client.cookies.set(SESSION_COOKIE, cookie)
        response = await dashboard.client.get("/settings")
        assert response.status_code == 303, cookie
        assert response.headers["location"] == "/signin"


async def test_a_session_in_use_is_extended(dashboard: Dashboard) -> None:
    _at(dashboard, SIGNED_IN_AT)
    await dashboard.sign_in_as(Role.RECEPTIONIST)

    _at(dashboard, SIGNED_IN_AT + timedelta(hours=7))
    assert (await dashboard.client.get("/")).status_code == 200
    _at(dashboard, SIGNED_IN_AT + timedelta(hours=18))

    assert (await dashboard.client.get("/")).status_code == 200


async def test_a_wrong_address_shows_a_page_not_json(dashboard: Dashboard) -> None:
    await dashboard.sign_in_as(Role.RECEPTIONIST)

    missing = await dashboard.client.get("/no-such-page")
    garbled = await dashboard.client.get("/", params={"day": "someday"})

    assert missing.status_code == 404
    assert "This page does not exist." in missing.text
    assert missing.headers["content-type"].startswith("text/html")
    assert garbled.status_code == 422
    assert "address is not valid" in garbled.text
