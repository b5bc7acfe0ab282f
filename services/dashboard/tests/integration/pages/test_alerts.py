from __future__ import annotations

import re

import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import eventually

from .conftest import Clinic

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


async def alerts(clinic: Clinic) -> str:
    return (await clinic.client.get("/alerts/partial")).text


async def test_a_stock_manager_sees_an_expiring_lot_and_dismisses_it(clinic: Clinic) -> None:
    token = await clinic.sign_in_as(Role.STOCK_MANAGER)
    page = await eventually(lambda: alerts(clinic), until=lambda html: "alert-expiry" in html)
    found = re.search(r'<li id="alert-([^"]+)" class="alert alert-expiry">', page)
    assert found
    assert "See the lot" in page

    dismissed = await clinic.client.post(
        f"/alerts/{found.group(1)}/dismiss",
        data={"csrf_token": token},
        headers={"HX-Request": "true"},
    )

    assert dismissed.status_code == 200
    assert f"alert-{found.group(1)}" not in dismissed.text
    assert f"alert-{found.group(1)}" not in await alerts(clinic)


async def test_a_stock_manager_sees_no_patient_messages_and_the_desk_does(clinic: Clinic) -> None:
    """Messages are about patients: the failed ones are the desk's to chase, not stock's."""
    await clinic.sign_in_as(Role.STOCK_MANAGER)
    stock_view = await alerts(clinic)
    await clinic.sign_in_as(Role.RECEPTIONIST)
    desk_view = await alerts(clinic)

    assert "Messages that failed" not in stock_view
    assert "Messages that failed" in desk_view


async def test_a_practitioner_sees_alerts_but_cannot_dismiss_them(clinic: Clinic) -> None:
    token = await clinic.sign_in_as(Role.PRACTITIONER)
    page = await eventually(lambda: alerts(clinic), until=lambda html: "alert-expiry" in html)
    found = re.search(r'<li id="alert-([^"]+)" class="alert alert-expiry">', page)
    assert found

    refused = await clinic.client.post(
        f"/alerts/{found.group(1)}/dismiss", data={"csrf_token": token}
    )

    assert "Dismiss" not in page
    assert refused.status_code == 403
    assert f"alert-{found.group(1)}" in await alerts(clinic)


async def test_dismissing_an_alert_that_does_not_exist_says_so(clinic: Clinic) -> None:
    token = await clinic.sign_in_as(Role.STOCK_MANAGER)

    response = await clinic.client.post(
        "/alerts/00000000-0000-4000-8000-000000000000/dismiss",
        data={"csrf_token": token},
        headers={"HX-Request": "true"},
    )

    assert response.headers["HX-Retarget"] == "#banner"
    assert "Traceback" not in response.text
