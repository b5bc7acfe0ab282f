"""Time off or a closure forced over a booked session tells its patient, through
`scheduling.session.displaced`, once: notifications sends them their link to pick a new time."""

from __future__ import annotations

from clinic_testing.helpers import eventually

from .conftest import MONDAY, Clinic, days, local

DISPLACED = "scheduling.session.displaced"


async def _displaced(clinic: Clinic) -> list[str]:
    return [e.data["session_id"] for e in clinic.events if e.type == DISPLACED]


async def test_a_forced_absence_displaces_each_covered_session_once(clinic: Clinic) -> None:
    course = await clinic.course()
    covered = await clinic.book_ok(course, local(MONDAY + days(1), 10))
    clear = await clinic.book_ok(course, local(MONDAY + days(8), 10))
    away = {"starts_at": local(MONDAY + days(1), 9), "ends_at": local(MONDAY + days(2), 9)}
    path = f"/v1/practitioners/{clinic.practitioner}/time-off"

    forced = await clinic.post(path, away | {"reason": "Flu", "force": True})
    assert forced.status_code == 201, forced.text
    closure = {"starts_at": away["starts_at"], "ends_at": away["ends_at"], "reason": "Pipe"}
    closed = await clinic.post("/v1/closures", closure | {"force": True})
    assert closed.status_code == 201, closed.text
    later = await clinic.post(f"/v1/sessions/{clear['id']}/cancel", {})  # after them in the outbox
    assert later.status_code == 200, later.text
    await eventually(
        lambda: _types(clinic), until=lambda types: "scheduling.session.cancelled" in types
    )
    found = await _displaced(clinic)

    assert found == [covered["id"]]  # the closure over it again said nothing more
    [event] = [e for e in clinic.events if e.type == DISPLACED]
    assert event.data["course_id"] == course
    assert event.data["sequence"] == 1
    assert clear["id"] not in found


async def test_an_unforced_refusal_displaces_nothing(clinic: Clinic) -> None:
    await clinic.book_ok(await clinic.course(), local(MONDAY + days(1), 10))
    away = {"starts_at": local(MONDAY + days(1), 9), "ends_at": local(MONDAY + days(2), 9)}

    refused = await clinic.post(f"/v1/practitioners/{clinic.practitioner}/time-off", away)

    assert refused.status_code == 409
    await eventually(
        lambda: _types(clinic), until=lambda types: "scheduling.session.booked" in types
    )
    assert await _displaced(clinic) == []


async def _types(clinic: Clinic) -> list[str]:
    return [e.type for e in clinic.events]
