"""No date typed into the dashboard, year 9999 or year 0001, is a 5xx: every date field of its
forms and every date in its query strings is answered with the page and a reason, or a 4xx."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer

from .conftest import Clinic
from .test_booking import plan_form, propose, register

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

FAR = {
    "year 9999": ("9999-12-31", "9999-12-31T23:45"),
    "year 0001": ("0001-01-01", "0001-01-01T00:00"),
}


async def _scene(clinic: Clinic) -> dict[str, str]:
    """A patient with a course of ten booked sessions; the ids the forms need."""
    token = await clinic.sign_in_as(Role.ADMIN)
    patient_id = await register(clinic, token)
    form = plan_form(await propose(clinic, token, patient_id), token)
    booked = await clinic.client.post("/book/confirm", data=form)
    assert booked.status_code == 303, booked.text
    listed = await clinic.api("scheduling").get(
        "/v1/courses", params={"patient_id": patient_id}, headers=bearer("admin")
    )
    [course] = listed.json()
    return {
        "csrf_token": token,
        "patient_id": patient_id,
        "course_id": course["id"],
        "session_id": course["sessions"][0]["id"],
        "room_id": course["sessions"][0]["room_id"],
        "treatment_code": course["treatment_code"],
        "practitioner_id": course["practitioner_id"],
    }


Entry = Callable[[httpx.AsyncClient, dict[str, str], str, str], Awaitable[httpx.Response]]


def _entries() -> dict[str, Entry]:
    """Every place the dashboard takes a date: (client, ids, day, wall clock) -> answer."""

    def get(path: str, **params: str) -> Entry:
        async def send(c: httpx.AsyncClient, ids: dict[str, str], d: str, t: str) -> Any:
            values = {k: v.format(day=d, time=t) for k, v in params.items()}
            return await c.get(path.format(**ids), params=values)

        return send

    def form(path: str, **fields: str) -> Entry:
        async def send(c: httpx.AsyncClient, ids: dict[str, str], d: str, t: str) -> Any:
            values = {k: v.format(day=d, time=t, **ids) for k, v in fields.items()}
            return await c.post(path.format(**ids), data={"csrf_token": ids["csrf_token"]} | values)

        return send

    def json(path: str, **fields: str) -> Entry:
        async def send(c: httpx.AsyncClient, ids: dict[str, str], d: str, t: str) -> Any:
            values = {k: v.format(day=d, time=t, **ids) for k, v in fields.items()}
            headers = {"x-csrf-token": ids["csrf_token"]}
            return await c.post(path.format(**ids), json=values, headers=headers)

        return send

    return {
        "agenda day": get("/", day="{day}"),
        "agenda week": get("/", day="{day}", week="true"),
        "agenda sessions": get("/agenda/sessions", day="{day}"),
        "agenda sessions week": get("/agenda/sessions", day="{day}", week="true"),
        "calendar day": get("/calendar", day="{day}"),
        "calendar events start": get("/calendar/api/events", start="{day}", end="2030-03-05"),
        "calendar events end": get("/calendar/api/events", start="2030-03-04", end="{day}"),
        "calendar course days": get(
            "/calendar/api/courses/{course_id}/days", start="{day}", end="{day}"
        ),
        "booking first date": form(
            "/book/plan",
            patient_id="{patient_id}",
            treatment_code="{treatment_code}",
            practitioner_id="{practitioner_id}",
            first_date="{day}",
        ),
        "booking a plan row": form(
            "/book/confirm",
            patient_id="{patient_id}",
            treatment_code="cellulite-arms",  # another area: the first course holds thighs
            practitioner_id="{practitioner_id}",
            starts_at="{time}",
            room_id="{room_id}",
        ),
        "agenda move": form("/agenda/sessions/{session_id}/reschedule", starts_at="{time}"),
        "course repair row": form(
            "/patients/{patient_id}/courses/{course_id}/repair",
            starts_at="{time}",
            room_id="{room_id}",
        ),
        "calendar booking": json(
            "/calendar/api/book", course_id="{course_id}", starts_at="{time}", room_id="{room_id}"
        ),
        "calendar move": json("/calendar/api/sessions/{session_id}/move", starts_at="{time}"),
        "closures from": get("/settings/closures", **{"from": "{day}"}),
        "closures touched from": get("/settings/closures/touched", **{"from": "{day}"}),
        "closure start": form(
            "/settings/closures",
            closure_starts_at="{time}",
            closure_ends_at="2030-03-05T10:00",
            closure_reason="Far",
        ),
        "closure end": form(
            "/settings/closures",
            closure_starts_at="2030-03-05T10:00",
            closure_ends_at="{time}",
            closure_reason="Far",
        ),
        "time off start": form(
            "/settings/time-off",
            practitioner_id="{practitioner_id}",
            away_starts_at="{time}",
            away_ends_at="2030-03-05T10:00",
        ),
        "time off end": form(
            "/settings/time-off",
            practitioner_id="{practitioner_id}",
            away_starts_at="2030-03-05T10:00",
            away_ends_at="{time}",
        ),
        **{
            f"report {slug}{csv} {end}": get(f"/reports/{slug}{csv}", **{end: "{day}"})
            for slug in ("utilisation", "attendance", "adherence", "vials", "expiry-waste")
            for csv in ("", "/csv")
            for end in ("from", "to")
        },
        "stock reservations": get("/stock", from_day="{day}", days="31"),
        "message log from": get("/messages", from_day="{day}"),
        "message log until": get("/messages", to_day="{day}"),
        "stock receipt expiry": form(
            "/stock/receipts",
            product_code="caffeine",
            lot_number="FAR-1",
            quantity="10",
            expires_on="{day}",
        ),
    }


@pytest.mark.parametrize("far", list(FAR), ids=list(FAR))
async def test_no_far_date_in_any_form_or_query_is_a_server_error(clinic: Clinic, far: str) -> None:
    ids = await _scene(clinic)
    day, wall_clock = FAR[far]
    failed = {}
    for name, send in _entries().items():
        answer = await send(clinic.client, ids, day, wall_clock)
        if answer.status_code >= 500:
            failed[name] = f"{answer.status_code}: {answer.text[:200]}"
    assert failed == {}
