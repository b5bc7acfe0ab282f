"""Races between recording an absence and booking inside it: the absence and the booking must
not both commit, leaving an unflagged session inside time off or a closure (issue 19 item 10).

A booking inserts its session with the read it is checked against, so it waits behind an
absence being recorded and then sees it (test_closures.py). When the database refuses that
insert (the slot was held), the booking starts again, reading before it inserts: that attempt
must wait for an absence being recorded too. It did not: it read no absence, the absence found
no session, and both were accepted.

The same retry, inside a request that changed something before it (a plan's earlier sessions,
the course it opens), rolled all of that back: it now drops only its own attempt."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from clinic_testing.helpers import eventually
from scheduling.service_layer import booking

from .conftest import ADMIN, MONDAY, Clinic, days, local
from .test_closures import _problem, _waiting


@pytest.fixture
def slot_once_held(monkeypatch: pytest.MonkeyPatch) -> None:
    """The booking's first insert is refused as if a concurrent booking held the slot and then
    let it go: the booking starts again, reading first (what a cancelled rival leaves)."""
    real = booking._book

    async def refused_first(scope: Any, wanted: Any, *, insert_early: bool) -> Any:
        if insert_early:
            raise IntegrityError("INSERT", {}, Exception("sessions_room_id_no_overlap"))
        return await real(scope, wanted, insert_early=insert_early)

    monkeypatch.setattr(booking, "_book", refused_first)


async def _race(clinic: Clinic, table: str, path: str, span: dict[str, str], at: str) -> Any:
    """Record the absence, held just before it writes (a lock on its table), then book at `at`
    meanwhile; let the absence go once the booking answered or waits behind it."""
    course = await clinic.course()
    db = clinic.app.state.runtime.db
    async with db.session() as holder, holder.begin():
        await holder.execute(sa.text(f"LOCK TABLE {table} IN SHARE MODE"))
        recording = asyncio.create_task(clinic.post(path, span))
        await eventually(lambda: _waiting(db), until=lambda n: n == 1)
        booked = asyncio.create_task(clinic.book(course, at))
        await eventually(lambda: _settled(db, booked), until=bool)
    return await recording, await booked


async def _settled(db: Any, booking: asyncio.Task[Any]) -> bool:
    return booking.done() or await _waiting(db) == 2


@pytest.mark.usefixtures("slot_once_held")
async def test_a_retried_booking_waits_for_a_closure_being_recorded(clinic: Clinic) -> None:
    day = MONDAY + days(1)
    span = {"starts_at": local(day, 0), "ends_at": local(day + days(1), 0), "reason": "Shut"}

    closure, booked = await _race(clinic, "closures", "/v1/closures", span, local(day))

    assert (closure.status_code, booked.status_code) == (201, 422), (closure.text, booked.text)
    assert _problem(booked, 422, "clinic-closed")["closure"]["id"] == closure.json()["id"]


@pytest.mark.usefixtures("slot_once_held")
async def test_a_retried_booking_waits_for_time_off_being_recorded(clinic: Clinic) -> None:
    day = MONDAY + days(1)
    span = {"starts_at": local(day, 9), "ends_at": local(day, 12), "reason": "Dentist"}
    path = f"/v1/practitioners/{clinic.practitioner}/time-off"

    away, booked = await _race(clinic, "time_off", path, span, local(day))

    assert (away.status_code, booked.status_code) == (201, 422), (away.text, booked.text)
    assert _problem(booked, 422, "practitioner-away")["closure"]["id"] == away.json()["id"]


@pytest.fixture
def second_slot_once_held(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second booking of a request has its first insert refused, as `slot_once_held`."""
    real = booking._book
    calls = []

    async def refused_second(scope: Any, wanted: Any, *, insert_early: bool) -> Any:
        calls.append(insert_early)
        if insert_early and len(calls) == 2:
            raise IntegrityError("INSERT", {}, Exception("sessions_room_id_no_overlap"))
        return await real(scope, wanted, insert_early=insert_early)

    monkeypatch.setattr(booking, "_book", refused_second)


@pytest.mark.usefixtures("second_slot_once_held")
async def test_a_plan_whose_second_booking_is_retried_keeps_its_first(clinic: Clinic) -> None:
    """The retry rolled the whole transaction back: the plan answered 201 with three sessions
    and the course held two, the first one lost (and its event with it)."""
    course = await clinic.course(sessions_planned=3)
    starts = [
        {"starts_at": local(MONDAY + days(d)), "room_id": clinic.rooms[0]} for d in (1, 8, 15)
    ]

    booked = await clinic.post(f"/v1/courses/{course}/book-plan", {"sessions": starts})

    assert booked.status_code == 201, booked.text
    read = await clinic.client.get(f"/v1/courses/{course}", headers=ADMIN)
    held = [s["id"] for s in read.json()["sessions"] if s["status"] == "booked"]
    assert sorted(held) == sorted(s["id"] for s in booked.json())
    assert len(held) == 3


@pytest.mark.usefixtures("slot_once_held")
async def test_a_course_opened_with_its_sessions_keeps_itself_when_a_booking_is_retried(
    clinic: Clinic,
) -> None:
    """The retry rolled back the course opened in the same request, then booked into a course
    that was not there."""
    opening = {
        "patient_id": clinic.patient,
        "treatment_code": "cellulite-thighs",
        "practitioner_id": clinic.practitioner,
        "sessions_planned": 2,
        "sessions": [{"starts_at": local(MONDAY + days(1)), "room_id": clinic.rooms[0]}],
    }

    opened = await clinic.post("/v1/courses", opening)

    assert opened.status_code == 201, opened.text
    read = await clinic.client.get(f"/v1/courses/{opened.json()['id']}", headers=ADMIN)
    assert read.status_code == 200, read.text
    assert [s["status"] for s in read.json()["sessions"]] == ["booked"]
