"""The admin's staff accounts page: create, deactivate, reset a password."""

from __future__ import annotations

import asyncio
import re
import uuid

import pytest

from clinic_shared.auth import Role
from clinic_shared.errors import Conflict
from dashboard.accounts import service

from .conftest import Dashboard

NEW = {"name": "Nina New", "email": "nina@clinic.example", "role": "receptionist"}


async def _create(dashboard: Dashboard, csrf: str, **overrides: str) -> str:
    form = NEW | {"password": "nina-password-1", "csrf_token": csrf} | overrides
    response = await dashboard.client.post("/settings/staff", data=form)
    return response.text if response.status_code != 303 else ""


def _account_id(page: str, name: str) -> str:
    found = re.search(rf'id="account-([0-9a-f-]+)">\s*<td data-label="Name">{name}<', page)
    assert found, f"{name} is not listed"
    return found.group(1)


async def test_an_account_the_admin_creates_can_sign_in_with_its_role(dashboard) -> None:
    csrf = await dashboard.sign_in_as(Role.ADMIN)
    assert await _create(dashboard, csrf) == ""
    dashboard.client.cookies.clear()

    response = await dashboard.sign_in("nina@clinic.example", "nina-password-1")

    assert response.status_code == 303
    page = await dashboard.client.get("/")
    assert "Nina New · receptionist" in page.text
    assert 'href="/settings/staff"' not in page.text


async def test_a_taken_email_and_a_short_password_show_beside_their_fields(dashboard) -> None:
    csrf = await dashboard.sign_in_as(Role.ADMIN)

    taken = await _create(dashboard, csrf, email="Reception@clinic.example")
    short = await _create(dashboard, csrf, password="short")

    assert 'id="e-email">Another account already uses this email.' in taken
    assert 'id="e-password">Use at least 10 characters.' in short


async def test_a_deactivated_account_is_signed_out_and_cannot_sign_in(dashboard) -> None:
    csrf = await dashboard.sign_in_as(Role.ADMIN)
    await _create(dashboard, csrf)
    nina = _account_id((await dashboard.client.get("/settings/staff")).text, "Nina New")
    admin_cookies = dict(dashboard.client.cookies)
    dashboard.client.cookies.clear()
    await dashboard.sign_in("nina@clinic.example", "nina-password-1")
    nina_cookies = dict(dashboard.client.cookies)

    dashboard.client.cookies = admin_cookies
    done = await dashboard.client.post(
        f"/settings/staff/{nina}/active", data={"active": "false", "csrf_token": csrf}
    )

    assert done.status_code == 303
    dashboard.client.cookies = nina_cookies
    assert (await dashboard.client.get("/")).status_code == 303
    refused = await dashboard.sign_in("nina@clinic.example", "nina-password-1")
    assert refused.status_code == 401


async def test_a_reset_password_replaces_the_old_one(dashboard) -> None:
    csrf = await dashboard.sign_in_as(Role.ADMIN)
    await _create(dashboard, csrf)
    nina = _account_id((await dashboard.client.get("/settings/staff")).text, "Nina New")

    await dashboard.client.post(
        f"/settings/staff/{nina}/password", data={"password": "brand-new-pw-2", "csrf_token": csrf}
    )

    dashboard.client.cookies.clear()
    assert (await dashboard.sign_in("nina@clinic.example", "nina-password-1")).status_code == 401
    assert (await dashboard.sign_in("nina@clinic.example", "brand-new-pw-2")).status_code == 303


async def test_the_admin_cannot_deactivate_their_own_account(dashboard) -> None:
    csrf = await dashboard.sign_in_as(Role.ADMIN)
    me = _account_id((await dashboard.client.get("/settings/staff")).text, "Ada Admin")

    response = await dashboard.client.post(
        f"/settings/staff/{me}/active", data={"active": "false", "csrf_token": csrf}
    )

    assert response.status_code == 422
    assert "cannot deactivate your own account" in response.text
    assert (await dashboard.client.get("/settings/staff")).status_code == 200


async def test_two_admins_linking_one_practitioner_at_once_link_one_account(dashboard) -> None:
    """The second link waits on the first's uncommitted row and is refused once it commits:
    one account per practitioner, a 409 naming the field, never a 500."""
    runtime = dashboard.app.state.runtime
    practitioner = uuid.uuid4()
    made = []
    async with runtime.transaction() as db:
        for name in ("Ana", "Ben"):
            account = await service.create_account(
                db,
                name=name,
                email=f"{name.lower()}@clinic.example",
                role="practitioner",
                password="a-long-password",
                now=runtime.clock(),
            )
            made.append(account.id)
    first, second = made

    async def link_second() -> None:
        async with runtime.transaction() as db:
            await service.link_practitioner(db, account_id=second, practitioner_id=practitioner)

    async with runtime.transaction() as db:
        await service.link_practitioner(db, account_id=first, practitioner_id=practitioner)
        racing = asyncio.create_task(link_second())
        await asyncio.sleep(0.5)  # it has read no link and now waits on this one's row
        assert not racing.done()
    with pytest.raises(Conflict) as refused:
        await racing

    assert refused.value.extensions["errors"][0]["field"] == "practitioner_id"
    assert refused.value.detail.startswith("Another account")  # the constraint's, not the check's
    async with runtime.transaction() as db:
        linked = {a.id: a.practitioner_id for a in await service.list_accounts(db)}
    assert (linked[first], linked[second]) == (practitioner, None)
