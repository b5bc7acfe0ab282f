from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import eventually
from notifications.service_layer.alerts import raise_alert
from notifications.service_layer.scope import open_scope

from .conftest import Clinic
from .test_messages import demo_messages, fail

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


async def test_a_practitioners_failed_message_opens_her_patients_page(clinic: Clinic) -> None:
    """Notifications lists her patients' messages only: their pages are hers to open, the
    message log is the desk's."""
    [first, *_] = await eventually(lambda: demo_messages(clinic))
    await fail(clinic, first["id"])
    await clinic.sign_in_as(Role.PRACTITIONER)

    page = await eventually(lambda: alerts(clinic), until=lambda html: "failed-message" in html)

    assert f'<a href="/patients/{first["patient_id"]}">Open the patient</a>' in page
    assert 'href="/messages"' not in page


async def test_dismissing_an_alert_that_does_not_exist_says_so(clinic: Clinic) -> None:
    token = await clinic.sign_in_as(Role.STOCK_MANAGER)

    response = await clinic.client.post(
        "/alerts/00000000-0000-4000-8000-000000000000/dismiss",
        data={"csrf_token": token},
        headers={"HX-Request": "true"},
    )

    assert response.headers["HX-Retarget"] == "#banner"
    assert "Traceback" not in response.text


def visible(html: str) -> str:
    """The page's text as read: no tags, no attributes."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def raise_staff_alerts(
    clinic: Clinic, kind: str, subject: str, details: dict, days: int
) -> None:
    """Notifications raised the alert on each of `days` days (once a day, as it does)."""
    runtime = clinic.services["notifications"].state.runtime
    for n in range(days):
        async with open_scope(runtime, now=datetime(2026, 3, 1 + n, 9, tzinfo=UTC)) as scope:
            await raise_alert(scope, kind, subject, details)
            await scope.uow.commit()


async def test_fourteen_alerts_of_a_product_are_one_line_named_and_dismissed_in_one_click(
    clinic: Clinic,
) -> None:
    details = {"product_code": "caffeine", "quantity_short": 2, "session_starts_at": "x"}
    await raise_staff_alerts(clinic, "stock_shortage", "caffeine", details, days=14)
    token = await clinic.sign_in_as(Role.STOCK_MANAGER)
    page = visible(await alerts(clinic))
    assert "Shortage · Caffeine 2.5% \N{MULTIPLICATION SIGN}14" in page
    assert "Dismiss all 14" in page
    assert "caffeine " not in page.replace("Caffeine", "")  # the name, never the code

    dismissed = await clinic.client.post(
        "/alerts/staff/dismissals",
        data={"csrf_token": token, "kind": "stock_shortage", "subject": "caffeine"},
        headers={"HX-Request": "true"},
    )

    assert dismissed.status_code == 200
    assert "Caffeine 2.5% \N{MULTIPLICATION SIGN}14" not in visible(dismissed.text)
    assert "Caffeine 2.5% \N{MULTIPLICATION SIGN}14" not in visible(await alerts(clinic))


async def test_stock_alerts_name_products_and_a_practitioner_cannot_dismiss_staff_alerts(
    clinic: Clinic,
) -> None:
    details = {"product_code": "lidocaine", "quantity": 10, "reason": "lead time"}
    await raise_staff_alerts(clinic, "reorder_suggested", "lidocaine", details, days=2)
    token = await clinic.sign_in_as(Role.PRACTITIONER)
    page = await eventually(lambda: alerts(clinic), until=lambda html: "alert-expiry" in html)

    refused = await clinic.client.post(
        "/alerts/staff/dismissals",
        data={"csrf_token": token, "kind": "reorder_suggested", "subject": "lidocaine"},
    )

    assert "Expiring lot · Artichoke extract" in visible(page)
    assert "Reorder suggested · Lidocaine 2% \N{MULTIPLICATION SIGN}2" in visible(page)
    assert "artichoke" not in visible(page)
    assert refused.status_code == 403
