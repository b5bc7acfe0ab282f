"""Settings, time off and closures: listed, added and removed in scheduling, a refusal shown
beside its field with what was typed kept, and the booked sessions they touch (issue 23)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer

from .conftest import Clinic

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

PARIS = ZoneInfo("Europe/Paris")
ADMIN = bearer(Role.ADMIN)
DR_DUBOIS = "00000000-0000-4000-8000-0000000000a1"
SAM_PATEL = "00000000-0000-4000-8000-0000000000a2"


def _day(days: int) -> date:
    return datetime.now(PARIS).date() + timedelta(days=days)


def _local(day: date, hour: int) -> str:
    """A `datetime-local` field's value."""
    return datetime.combine(day, time(hour)).strftime("%Y-%m-%dT%H:%M")


def _instant(day: date, hour: int) -> str:
    return datetime.combine(day, time(hour), PARIS).isoformat()


async def _page(clinic: Clinic) -> str:
    answer = await clinic.client.get("/settings/closures")
    assert answer.status_code == 200, answer.text
    return answer.text


async def test_the_closures_and_time_off_of_the_coming_weeks_are_listed(clinic: Clinic) -> None:
    scheduling = clinic.api("scheduling")
    week = _day(20)
    closure = {"starts_at": _instant(week, 13), "ends_at": _instant(week, 18), "reason": "Works"}
    away = {"starts_at": _instant(week, 14), "ends_at": _instant(week, 17), "reason": "Congress"}
    assert (await scheduling.post("/v1/closures", json=closure, headers=ADMIN)).is_success
    created = await scheduling.post(
        f"/v1/practitioners/{SAM_PATEL}/time-off", json=away, headers=ADMIN
    )
    assert created.status_code == 201, created.text
    await clinic.sign_in_as(Role.ADMIN)

    page = await _page(clinic)

    assert 'href="/settings/closures" aria-current="page">Time off and closures<' in page
    assert re.search(r'<td data-label="Reason">Works', page)
    time_off = re.search(rf'id="time-off-{created.json()["id"]}">(.*?)</tr>', page, re.S)
    assert time_off
    assert "Sam Patel" in time_off.group(1)
    assert "Congress" in time_off.group(1)


async def test_a_closure_and_a_time_off_are_added_and_removed(clinic: Clinic) -> None:
    csrf = await clinic.sign_in_as(Role.ADMIN)
    day = _day(15)  # afternoons: the demo course's sessions are in the mornings
    closure = {
        "closure_starts_at": _local(day, 13),
        "closure_ends_at": _local(day, 18),
        "closure_reason": "Painting",
    }
    away = {
        "practitioner_id": SAM_PATEL,
        "away_starts_at": _local(day, 14),
        "away_ends_at": _local(day, 16),
        "away_reason": "Training",
    }

    added = await clinic.client.post("/settings/closures", data=closure | {"csrf_token": csrf})
    also = await clinic.client.post("/settings/time-off", data=away | {"csrf_token": csrf})
    listed = await _page(clinic)
    closure_id = re.search(r'action="/settings/closures/([0-9a-f-]+)/remove"', listed)
    time_off_id = re.search(r'action="/settings/time-off/([0-9a-f-]+)/remove"', listed)
    assert closure_id
    assert time_off_id
    removed = [
        await clinic.client.post(
            f"/settings/{kind}/{found.group(1)}/remove", data={"csrf_token": csrf}
        )
        for kind, found in (("closures", closure_id), ("time-off", time_off_id))
    ]
    after = await _page(clinic)

    assert added.headers["location"] == "/settings/closures?saved=closure"
    assert also.headers["location"] == "/settings/closures?saved=time_off"
    assert "Painting" in listed
    assert "Training" in listed
    assert [r.status_code for r in removed] == [303, 303]
    assert "Painting" not in after
    assert "Training" not in after


async def test_a_bad_date_is_refused_beside_its_field_keeping_what_was_typed(
    clinic: Clinic,
) -> None:
    csrf = await clinic.sign_in_as(Role.ADMIN)
    day = _day(10)
    typed = {
        "closure_starts_at": "2026-13-45T10:00",
        "closure_ends_at": _local(day, 18),
        "closure_reason": "Flood",
        "csrf_token": csrf,
    }
    backwards = typed | {"closure_starts_at": _local(day, 18), "closure_ends_at": _local(day, 9)}

    garbled = await clinic.client.post("/settings/closures", data=typed)
    reversed_ = await clinic.client.post("/settings/closures", data=backwards)

    assert garbled.status_code == 422
    assert 'id="e-closure_starts_at">Choose a day and a time.' in garbled.text
    assert 'value="2026-13-45T10:00"' in garbled.text
    assert 'value="Flood"' in garbled.text
    assert reversed_.status_code == 422
    assert 'id="e-closure_ends_at">' in reversed_.text
    assert f'value="{_local(day, 9)}"' in reversed_.text
    assert "Flood" not in await _page(clinic)


async def test_a_closure_over_booked_sessions_lists_them_each_with_a_reschedule(
    clinic: Clinic,
) -> None:
    csrf = await clinic.sign_in_as(Role.ADMIN)
    [first] = (
        await clinic.api("scheduling").get("/v1/sessions", params={"limit": 1}, headers=ADMIN)
    ).json()
    day = datetime.fromisoformat(first["starts_at"]).astimezone(PARIS).date()
    closure = {
        "closure_starts_at": _local(day, 0),
        "closure_ends_at": _local(day, 23),
        "closure_reason": "Burst pipe",
        "csrf_token": csrf,
    }

    refused = await clinic.client.post("/settings/closures", data=closure)
    forced = await clinic.client.post(
        "/settings/closures", data=closure | {"closure_force": "true"}
    )
    page = await _page(clinic)

    assert refused.status_code == 422
    assert "1 booked session falls inside it: move or cancel it first" in refused.text
    assert f'hx-get="/agenda/sessions/{first["id"]}/reschedule"' in refused.text
    assert forced.status_code == 303
    touched = re.search(rf'id="touched-{first["id"]}">(.*?)</tr>', page, re.S)
    assert touched
    assert "Amelia Hart" in touched.group(1)
    assert f'hx-get="/agenda/sessions/{first["id"]}/reschedule"' in touched.group(1)


async def test_only_an_admin_opens_time_off_and_closures(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.RECEPTIONIST)

    answer = await clinic.client.get("/settings/closures")

    assert answer.status_code == 403
