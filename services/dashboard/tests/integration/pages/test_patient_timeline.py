"""A patient's timeline over the real services: sessions with their messages and lots."""

from __future__ import annotations

import re

import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer, eventually
from dashboard import timeline

from .conftest import Clinic
from .test_stock import completed_first_demo_session

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


async def patient_of_first_session(clinic: Clinic) -> str:
    auth = bearer(Role.ADMIN)
    scheduling = clinic.api("scheduling")
    [session] = (await scheduling.get("/v1/sessions", params={"limit": 1}, headers=auth)).json()
    course = (await scheduling.get(f"/v1/courses/{session['course_id']}", headers=auth)).json()
    return str(course["patient_id"])


async def test_a_completed_session_shows_the_lot_it_used_and_its_messages(clinic: Clinic) -> None:
    lot_number = await completed_first_demo_session(clinic)
    patient_id = await patient_of_first_session(clinic)
    await clinic.sign_in_as(Role.RECEPTIONIST)

    async def shown() -> str:
        return (await clinic.client.get(f"/patients/{patient_id}/timeline")).text

    page = await eventually(shown, until=lambda html: f"lot {lot_number}" in html)
    entry = page[: page.index(f"lot {lot_number}")]
    assert re.search(r"session 1 · <span class=\"status status-completed\">done</span>", entry)
    assert re.search(r"Used: 1 \u00d7 [A-Z][^,<]*, lot " + re.escape(lot_number), page)
    assert "by SMS" in page or "by email" in page
    frame = (await clinic.client.get(f"/patients/{patient_id}")).text
    assert '<h2 id="timeline-h">Timeline</h2>' in frame
    assert f'hx-get="/patients/{patient_id}/timeline"' in frame


async def test_the_timeline_pages_newest_first(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    patient_id = await patient_of_first_session(clinic)
    await clinic.sign_in_as(Role.RECEPTIONIST)
    monkeypatch.setattr(timeline, "SESSIONS_A_PAGE", 1)

    first = (await clinic.client.get(f"/patients/{patient_id}/timeline")).text
    second = (await clinic.client.get(f"/patients/{patient_id}/timeline?page=2")).text

    def day(html: str) -> str:
        found = re.search(r'<li class="history-entry" id="timeline-([^"]+)">', html)
        assert found, html
        return found.group(1)

    assert day(first) != day(second)
    assert 'rel="next"' in first
    assert 'rel="prev"' in second
    assert first.count('class="history-entry"') == 1


async def test_a_stock_manager_cannot_read_a_patients_timeline(clinic: Clinic) -> None:
    patient_id = await patient_of_first_session(clinic)
    await clinic.sign_in_as(Role.STOCK_MANAGER)

    response = await clinic.client.get(f"/patients/{patient_id}/timeline")

    assert response.status_code == 403
