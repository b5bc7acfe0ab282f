"""The message log across patients: filtered, paged, newest first; a failed message sent
again from it. The desk's page: no stock manager or practitioner opens it."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer, eventually
from notifications.adapters.orm import messages

from .conftest import Clinic

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

PARIS = ZoneInfo("Europe/Paris")
AGO = datetime.now(PARIS) - timedelta(hours=1)


def due_on(message: dict) -> date:
    return datetime.fromisoformat(message["scheduled_for"]).astimezone(PARIS).date()


async def demo_messages(clinic: Clinic) -> list[dict]:
    answer = await clinic.api("notifications").get(
        "/v1/messages", params={"limit": 100}, headers=bearer(Role.ADMIN)
    )
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def fail(clinic: Clinic, message_id: str) -> None:
    """The carrier refused the message for good, an hour ago, when it was due."""
    await change(
        clinic, message_id, status="failed", last_error="number not in service", scheduled_for=AGO
    )


async def change(clinic: Clinic, message_id: str, **values: Any) -> None:
    runtime = clinic.services["notifications"].state.runtime
    async with runtime.db.session() as session:
        await session.execute(sa.update(messages).where(messages.c.id == message_id).values(values))
        await session.commit()


async def test_the_desk_finds_a_failed_message_and_sends_it_again(clinic: Clinic) -> None:
    [first, *_] = await eventually(lambda: demo_messages(clinic))
    await fail(clinic, first["id"])
    token = await clinic.sign_in_as(Role.RECEPTIONIST)

    log = (await clinic.client.get("/messages", params={"status": "failed"})).text
    rows = re.findall(r'<tr id="message-([^"]+)"', log)
    sent = await clinic.client.post(
        f"/messages/{first['id']}/resend",
        data={"csrf_token": token, "back": "/messages?status=failed"},
    )
    after = await clinic.client.get(sent.headers["location"])

    assert rows == [first["id"]]
    assert "number not in service" in log
    assert f'href="/patients/{first["patient_id"]}"' in log
    assert "Send again" in log
    assert sent.status_code == 303
    assert sent.headers["location"] == "/messages?status=failed&done=resent"
    assert "The message is queued to go again." in after.text
    assert f'id="message-{first["id"]}"' not in after.text  # no longer failed
    [again] = [m for m in await demo_messages(clinic) if m["id"] == first["id"]]
    assert again["resent_at"] is not None


async def test_the_log_is_paged_newest_first_and_filtered_by_channel(clinic: Clinic) -> None:
    [sent, *_] = await eventually(lambda: demo_messages(clinic))
    await change(clinic, sent["id"], scheduled_for=AGO, status="sent")  # one gone out already
    every = await demo_messages(clinic)
    await clinic.sign_in_as(Role.ADMIN)
    today = datetime.now(PARIS).date()

    page = (await clinic.client.get("/messages")).text
    sms = (await clinic.client.get("/messages", params={"channel": "sms"})).text
    bad = await clinic.client.get("/messages", params={"status": "lost"})
    blank = {"status": "", "channel": "", "from_day": "", "to_day": today.isoformat()}
    untouched = await clinic.client.get("/messages", params=blank)  # the form, as it opens
    cleared = (await clinic.client.get("/messages", params=blank | {"to_day": ""})).text

    newest = sorted(every, key=lambda m: (m["scheduled_for"], m["id"]), reverse=True)
    due = [m["id"] for m in newest if due_on(m) <= today]
    assert 0 < len(due) < len(every)  # the reminders of the sessions to come are not due
    shown = re.findall(r'<tr id="message-([^"]+)"', page)
    assert shown == due[:50]
    assert f'id="m-to_day" name="to_day" type="date" value="{today.isoformat()}"' in page
    assert ('rel="next"' in page) == (len(due) > 50)
    assert 'href="/messages?to_day="' in page  # those due later too
    assert "by email" not in sms
    assert bad.status_code == 422
    assert re.findall(r'<tr id="message-([^"]+)"', untouched.text) == shown
    assert re.findall(r'<tr id="message-([^"]+)"', cleared) == [m["id"] for m in newest][:50]
    assert 'href="/messages?to_day="' not in cleared


async def test_the_page_links_keep_a_cleared_end_day(clinic: Clinic) -> None:
    every = await eventually(lambda: demo_messages(clinic))
    await clinic.sign_in_as(Role.ADMIN)

    second = await clinic.client.get("/messages", params={"to_day": "", "page": "2"})

    assert second.status_code == 200
    assert 'href="/messages?to_day="' in second.text  # page 1, no end day
    assert ('href="/messages?to_day=&amp;page=3"' in second.text) == (len(every) > 100)


@pytest.mark.parametrize("role", [Role.STOCK_MANAGER, Role.PRACTITIONER])
async def test_only_the_desk_opens_the_message_log(clinic: Clinic, role: Role) -> None:
    await clinic.sign_in_as(role)

    page = await clinic.client.get("/messages")
    today = (await clinic.client.get("/")).text

    assert page.status_code == 403
    assert 'href="/messages"' not in today


async def test_the_log_names_the_patient_then_says_erased_once_they_are_erased(
    clinic: Clinic,
) -> None:
    [first, *_] = await eventually(lambda: demo_messages(clinic))
    patient_id = first["patient_id"]
    admin = bearer(Role.ADMIN)
    scheduling = clinic.api("scheduling")
    patient = (await scheduling.get(f"/v1/patients/{patient_id}", headers=admin)).json()
    name = f"{patient['first_name']} {patient['last_name']}"
    await clinic.sign_in_as(Role.RECEPTIONIST)

    every = {"to_day": ""}  # the demo's messages are due later than today
    before = (await clinic.client.get("/messages", params=every)).text
    gone = await scheduling.post(f"/v1/patients/{patient_id}/erase", headers=admin)
    assert gone.status_code == 200, gone.text
    after = (await clinic.client.get("/messages", params=every)).text

    assert f'<a href="/patients/{patient_id}">{name}</a>' in before
    assert f'href="/patients/{patient_id}"' not in after
    assert name not in after
    assert '<span class="muted">erased</span>' in after
