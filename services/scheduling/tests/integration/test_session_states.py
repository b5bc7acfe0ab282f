"""`GET /v1/sessions/states`: every session's facts and version, page after page, each version
between the event of the change before and the event of its own change."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from clinic_testing.helpers import eventually
from scheduling.entrypoints.api.session_states import cursor_of

from .conftest import ADMIN, MONDAY, Clinic, days, instant, local

PLUS_ONE = timezone(timedelta(hours=1))


async def states(clinic: Clinic, **params: Any) -> dict[str, Any]:
    answer = await clinic.client.get("/v1/sessions/states", params=params, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def every_state(clinic: Clinic, limit: int) -> list[list[dict[str, Any]]]:
    pages, cursor = [], None
    while True:
        page = await states(clinic, limit=limit, **({"after": cursor} if cursor else {}))
        pages.append(page["items"])
        if (cursor := page["next"]) is None:
            return pages


async def test_pages_hold_every_session_once_with_its_course_facts(clinic: Clinic) -> None:
    course = await clinic.course(sessions_planned=8)
    booked = [(await clinic.book_ok(course, local(MONDAY + days(7 * n))))["id"] for n in range(5)]

    pages = await every_state(clinic, limit=2)

    assert [len(p) for p in pages] == [2, 2, 1]
    listed = [s for page in pages for s in page]
    assert sorted(s["session_id"] for s in listed) == sorted(booked)
    assert [instant(s["version"]) for s in listed] == sorted(instant(s["version"]) for s in listed)
    first = next(s for s in listed if s["session_id"] == booked[0])
    assert first["treatment_code"] == "cellulite-thighs"
    assert (first["sequence"], first["sessions_planned"], first["status"]) == (1, 8, "booked")
    assert first["patient_id"] == clinic.patient


async def test_a_moved_session_comes_after_the_others_with_a_version_between_its_events(
    clinic: Clinic,
) -> None:
    course = await clinic.course()
    first = await clinic.book_ok(course, local(MONDAY))
    second = await clinic.book_ok(course, local(MONDAY + days(10)))
    before = await states(clinic)
    moved = await clinic.post(
        f"/v1/sessions/{first['id']}/reschedule", {"starts_at": local(MONDAY, 14)}
    )
    assert moved.status_code == 200, moved.text

    after = await states(clinic, updated_since=before["items"][-1]["version"])

    assert [s["session_id"] for s in after["items"]] == [second["id"], first["id"]]
    [state] = [s for s in after["items"] if s["session_id"] == first["id"]]
    assert instant(state["starts_at"]) == instant(local(MONDAY, 14))
    events = await eventually(
        lambda: _session_events(clinic, first["id"]), until=lambda found: len(found) == 2
    )
    booked_at, moved_at = (e.occurred_at for e in events)
    assert booked_at < instant(state["version"]) <= moved_at


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "not-a-cursor"}, "query.after"),
        ({"after": cursor_of(datetime.min.replace(tzinfo=PLUS_ONE), uuid.uuid4())}, "query.after"),
        ({"updated_since": "0001-01-01T00:00:00+01:00"}, "query.updated_since"),
        ({"limit": 501}, "query.limit"),
    ],
)
async def test_a_bad_cursor_instant_or_limit_is_a_422_naming_it(
    clinic: Clinic, params: dict[str, Any], field: str
) -> None:
    answer = await clinic.client.get("/v1/sessions/states", params=params, headers=ADMIN)

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == [field]


async def _session_events(clinic: Clinic, session_id: str) -> list[Any]:
    return [e for e in clinic.events if e.data.get("session_id") == session_id]
