"""The reschedule panel names the days of the session's window it may not move to: scheduling's
`/window` lists them (issue 19 item 11), and the panel must read its windows beside them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from clinic_testing.helpers import bearer

from .conftest import Clinic
from .test_far_dates import _scene

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


async def test_the_reschedule_panel_names_a_closed_day_of_the_window(clinic: Clinic) -> None:
    ids = await _scene(clinic)
    scheduling = clinic.api("scheduling")
    listed = await scheduling.get(f"/v1/courses/{ids['course_id']}", headers=bearer("admin"))
    second = listed.json()["sessions"][1]["id"]
    found = await scheduling.get(f"/v1/sessions/{second}/window", headers=bearer("admin"))
    day = date.fromisoformat(found.json()["alone"]["earliest"])
    zone = ZoneInfo(clinic.app.state.settings.zone.key)
    start = datetime.combine(day, time(), tzinfo=zone)
    closure = {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(days=1)).isoformat(),
        "reason": "Works",
        "force": True,
    }
    made = await scheduling.post("/v1/closures", json=closure, headers=bearer("admin"))
    assert made.status_code == 201, made.text

    panel = await clinic.client.get(f"/agenda/sessions/{second}/reschedule")

    assert panel.status_code == 200, panel.text
    assert f"{day:%a %d %b} (clinic closed: Works)" in panel.text
