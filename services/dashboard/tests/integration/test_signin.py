from __future__ import annotations

import asyncio
import re

from clinic_shared.auth import Role
from dashboard.seed import DEMO_ACCOUNTS

from .conftest import alone_settings, csrf_of, dashboard_alone, dashboard_on

ADMIN = next(a for a in DEMO_ACCOUNTS if a[2] is Role.ADMIN)


async def test_signing_in_with_the_right_password_opens_today(dashboard) -> None:
    response = await dashboard.sign_in("Reception@Clinic.example ", "demo-reception-2026")

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    page = await dashboard.client.get("/")
    assert "Rita Reception" in page.text
    assert "Sign out" in page.text


async def test_a_wrong_password_is_shown_beside_the_password_field(dashboard) -> None:
    response = await dashboard.sign_in("reception@clinic.example", "not-the-password")

    assert response.status_code == 401
    assert 'id="e-password"' in response.text
    assert "do not match an active account" in response.text
    assert (await dashboard.client.get("/")).status_code == 303


async def test_pages_send_a_visitor_who_is_not_signed_in_to_sign_in(dashboard) -> None:
    response = await dashboard.client.get("/")

    assert response.status_code == 303
    assert response.headers["location"] == "/signin"


async def test_signing_out_ends_the_session(dashboard) -> None:
    token = await dashboard.sign_in_as(Role.ADMIN)
    cookie = dashboard.client.cookies["clinic_session"]

    await dashboard.client.post("/signout", data={"csrf_token": token})

    dashboard.client.cookies.set("clinic_session", cookie)
    assert (await dashboard.client.get("/")).status_code == 303


async def test_a_service_that_is_down_shows_a_banner_not_a_stack_trace(dashboard) -> None:
    await dashboard.sign_in_as(Role.RECEPTIONIST)

    response = await dashboard.client.get(
        "/agenda/sessions", params={"day": "2026-12-01"}, headers={"HX-Request": "true"}
    )

    assert response.headers["HX-Retarget"] == "#banner"
    assert "The appointments service is not answering" in response.text
    assert "Traceback" not in response.text


async def test_the_sign_in_form_carries_a_csrf_token(dashboard) -> None:
    page = await dashboard.client.get("/signin")

    assert csrf_of(page.text)


async def test_after_five_wrong_passwords_even_the_right_one_waits_on_a_new_browser(
    dashboard,
) -> None:
    for _ in range(5):
        wrong = await dashboard.sign_in("reception@clinic.example", "guess")
        assert wrong.status_code == 401

    locked = await dashboard.sign_in("Reception@clinic.example", "demo-reception-2026")

    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert re.search(r'id="e-form"[^>]*>Too many sign-in attempts. Try again in \d+ s', locked.text)
    assert (await dashboard.client.get("/")).status_code == 303  # still not signed in


async def test_one_account_locked_out_leaves_the_others_signing_in(dashboard) -> None:
    for _ in range(5):
        await dashboard.sign_in("reception@clinic.example", "guess")

    other = await dashboard.sign_in_as(Role.ADMIN)

    assert other


async def test_a_right_password_clears_earlier_mistakes(dashboard) -> None:
    for _ in range(4):
        await dashboard.sign_in("reception@clinic.example", "guess")
    await dashboard.sign_in_as(Role.RECEPTIONIST)
    for _ in range(4):
        await dashboard.sign_in("reception@clinic.example", "guess")

    again = await dashboard.sign_in("reception@clinic.example", "demo-reception-2026")

    assert again.status_code == 303


async def test_one_address_trying_many_accounts_is_slowed_down(make_settings) -> None:
    async with dashboard_alone(make_settings, signin_attempts_per_address=3) as dashboard:
        tried = [await dashboard.sign_in(f"guess{n}@clinic.example", "x") for n in range(3)]
        fourth = await dashboard.sign_in(ADMIN[1], ADMIN[3])  # the right password

    assert [t.status_code for t in tried] == [401, 401, 401]
    assert fourth.status_code == 429


async def test_wrong_passwords_on_two_replicas_add_up_to_one_lockout(make_settings) -> None:
    settings = await alone_settings(make_settings)
    async with dashboard_on(settings) as first, dashboard_on(settings) as second:
        for replica in (first, second, first, second, first):
            wrong = await replica.sign_in("reception@clinic.example", "guess")
            assert wrong.status_code == 401

        locked = await second.sign_in("reception@clinic.example", "demo-reception-2026")

    assert locked.status_code == 429


async def test_concurrent_guesses_get_no_more_tries_than_the_limit(dashboard) -> None:
    form = await dashboard.client.get("/signin")
    token = csrf_of(form.text)

    answers = await asyncio.gather(
        *(
            dashboard.client.post(
                "/signin",
                data={
                    "email": "reception@clinic.example",
                    "password": f"guess{n}",
                    "csrf_token": token,
                },
            )
            for n in range(12)
        )
    )

    assert sorted(a.status_code for a in answers) == [401] * 5 + [429] * 7
