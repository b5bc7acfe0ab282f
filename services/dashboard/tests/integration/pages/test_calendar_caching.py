"""The calendar's data is never kept by the browser: after a move, the grid asks again and gets
the session where it now is, not an answer kept from before."""

from __future__ import annotations

from datetime import timedelta

import pytest

from clinic_shared.auth import Role

from .conftest import Clinic
from .test_calendar import chloes_course, next_monday, week_of

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]


async def test_the_grid_data_is_never_cached(clinic: Clinic) -> None:
    """A browser that kept the events answer would show a moved session where it was."""
    await clinic.sign_in_as(Role.RECEPTIONIST)
    course_id = await chloes_course(clinic)
    monday = next_monday()

    events = await clinic.client.get("/calendar/api/events", params=week_of(monday))
    span = {"start": monday.isoformat(), "end": (monday + timedelta(days=7)).isoformat()}
    days = await clinic.client.get(f"/calendar/api/courses/{course_id}/days", params=span)
    courses = await clinic.client.get("/calendar/api/courses", params={"q": "Martin"})

    for answer in (events, days, courses):
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "no-store"
