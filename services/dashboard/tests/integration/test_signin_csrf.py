"""Issue 28 item 10: the sign-in form's CSRF token is one this server issued, not any value a
client presents in both the cookie and the form."""

from __future__ import annotations

from datetime import timedelta

from dashboard.pages.signin import SIGNIN_CSRF_COOKIE

from .conftest import csrf_of


def _sign_in(token: str) -> dict[str, str]:
    return {"email": "admin@clinic.example", "password": "demo-admin-2026", "csrf_token": token}


async def test_a_made_up_token_in_cookie_and_form_is_refused(dashboard) -> None:
    dashboard.client.cookies.set(SIGNIN_CSRF_COOKIE, "attacker-chosen")
    refused = await dashboard.client.post("/signin", data=_sign_in("attacker-chosen"))
    assert refused.status_code == 403
    assert "clinic_session" not in refused.cookies


async def test_a_token_signed_with_another_servers_key_is_refused(dashboard) -> None:
    form = await dashboard.client.get("/signin")
    nonce, issued, signature = csrf_of(form.text).split(".")
    forged = f"{nonce}.{issued}.{signature[::-1]}"
    dashboard.client.cookies.set(SIGNIN_CSRF_COOKIE, forged)
    refused = await dashboard.client.post("/signin", data=_sign_in(forged))
    assert refused.status_code == 403


async def test_an_issued_token_signs_in_until_it_is_two_hours_old(dashboard) -> None:
    runtime = dashboard.app.state.runtime
    issued_at = runtime.clock()
    form = await dashboard.client.get("/signin")
    token = csrf_of(form.text)
    runtime.clock = lambda: issued_at + timedelta(hours=2, minutes=1)
    stale = await dashboard.client.post("/signin", data=_sign_in(token))
    assert stale.status_code == 403
    runtime.clock = lambda: issued_at
    fresh_form = await dashboard.client.get("/signin")
    signed_in = await dashboard.client.post("/signin", data=_sign_in(csrf_of(fresh_form.text)))
    assert signed_in.status_code == 303
