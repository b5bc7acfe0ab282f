"""Role checks, CSRF refusals and the session cookie's flags."""

from __future__ import annotations

import secrets

import httpx
import pytest

from clinic_shared.auth import Role
from clinic_shared.crypto import new_key
from dashboard.bootstrap import build_app
from dashboard.settings import DashboardSettings

from .conftest import Dashboard, csrf_of

SETTINGS_PAGES = ["/settings/staff", "/settings/clinic", "/settings/reminders", "/settings/feeds"]


@pytest.mark.parametrize("role", [Role.RECEPTIONIST, Role.PRACTITIONER, Role.STOCK_MANAGER])
async def test_only_the_admin_may_open_settings(dashboard: Dashboard, role: Role) -> None:
    await dashboard.sign_in_as(role)

    pages = [await dashboard.client.get(path) for path in SETTINGS_PAGES]

    assert [p.status_code for p in pages] == [403] * len(SETTINGS_PAGES)
    assert "Your role does not give access to this page." in pages[0].text
    assert 'href="/settings/staff"' not in (await dashboard.client.get("/")).text


async def test_a_form_post_without_the_csrf_token_changes_nothing(dashboard: Dashboard) -> None:
    csrf = await dashboard.sign_in_as(Role.ADMIN)
    form = {"name": "Eve", "email": "eve@clinic.example", "role": "admin", "password": "x" * 12}

    missing = await dashboard.client.post("/settings/staff", data=form)
    wrong = await dashboard.client.post("/settings/staff", data=form | {"csrf_token": "forged"})

    assert (missing.status_code, wrong.status_code) == (403, 403)
    assert "This form has expired" in missing.text
    assert "eve@clinic.example" not in (await dashboard.client.get("/settings/staff")).text
    header = await dashboard.client.post(
        "/settings/staff", data=form, headers={"X-CSRF-Token": csrf}
    )
    assert header.status_code == 303


async def test_signing_in_without_the_forms_csrf_token_is_refused(dashboard: Dashboard) -> None:
    await dashboard.client.get("/signin")

    response = await dashboard.client.post(
        "/signin", data={"email": "admin@clinic.example", "password": "demo-admin-2026"}
    )

    assert response.status_code == 403
    assert "clinic_session" not in response.cookies


async def test_the_session_cookie_is_httponly_and_samesite_lax(dashboard: Dashboard) -> None:
    form = await dashboard.client.get("/signin")
    response = await dashboard.client.post(
        "/signin",
        data={
            "email": "admin@clinic.example",
            "password": "demo-admin-2026",
            "csrf_token": csrf_of(form.text),
        },
    )

    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("clinic_session=")
    )
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"httponly", "samesite=lax"} <= flags
    assert "secure" not in flags


async def test_in_production_the_session_cookie_is_secure(make_settings) -> None:
    """Production has no demo accounts: the clinic's first admin comes from the environment."""
    settings = await make_settings(
        DashboardSettings,
        env="production",
        jwt_secret=secrets.token_urlsafe(32),
        amqp_url="amqp://guest:guest@127.0.0.1:5672/",
        data_keys=f"k1:{new_key()}",
        index_key=new_key(),
        patient_link_key=secrets.token_urlsafe(32),
        first_admin_email="owner@clinic.example",
        first_admin_password="a long first password",
    )
    app = build_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="https://clinic.example") as client,
    ):
        form = await client.get("/signin")
        response = await client.post(
            "/signin",
            data={
                "email": "owner@clinic.example",
                "password": "a long first password",
                "csrf_token": csrf_of(form.text),
            },
        )

    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("clinic_session=")
    )
    assert "secure" in {part.strip().lower() for part in cookie.split(";")}
