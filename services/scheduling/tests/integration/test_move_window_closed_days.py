"""A session's `/window` names the days of its windows on which it may not move, at its time of
day: the practitioner's time off, a closure of the clinic, a public holiday kept closed (issue 19
item 11: proposals avoid closures). Before, the window offered them as any other day."""

from __future__ import annotations

from typing import Any

from .conftest import ADMIN, DESK, MONDAY, Clinic, days, local

EASTER_MONDAY = "2030-04-22"  # a public holiday in France, the clinic's default country


async def _window(clinic: Clinic, session: dict[str, Any]) -> dict[str, Any]:
    answer = await clinic.client.get(f"/v1/sessions/{session['id']}/window", headers=DESK)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def test_the_move_window_names_closures_and_time_off_at_the_sessions_time(
    clinic: Clinic,
) -> None:
    course = await clinic.course()
    booked = [await clinic.book_ok(course, local(MONDAY + days(d))) for d in (0, 9, 18)]
    closure = {"starts_at": local(MONDAY + days(8), 0), "ends_at": local(MONDAY + days(9), 0)}
    made = await clinic.post("/v1/closures", closure | {"reason": "Works"})
    assert made.status_code == 201, made.text
    path = f"/v1/practitioners/{clinic.practitioner}/time-off"
    for hours, reason in (((9, 12), "Dentist"), ((14, 18), "Training")):
        span = {"starts_at": local(MONDAY + days(10), hours[0])}
        span["ends_at"] = local(MONDAY + days(10 + (hours[0] > 12)), hours[1])
        added = await clinic.post(path, span | {"reason": reason})
        assert added.status_code == 201, added.text

    window = await _window(clinic, booked[1])  # 13 March, 10:00

    assert window["alone"] == {"earliest": "2030-03-11", "latest": "2030-03-15"}
    # 12 March is closed; on 14 March the 10:00 session falls in the dentist's morning, and the
    # afternoon's training (14:00 on the 14th to 18:00 on the 15th) covers 15 March's 10:00.
    assert window["closed"] == [
        {"day": "2030-03-12", "kind": "closure", "reason": "Works"},
        {"day": "2030-03-14", "kind": "time_off", "reason": "Dentist"},
        {"day": "2030-03-15", "kind": "time_off", "reason": "Training"},
    ]


async def test_an_open_ended_window_names_the_holidays_the_clinic_keeps_closed(
    clinic: Clinic,
) -> None:
    course = await clinic.course()
    first = await clinic.book_ok(course, local(MONDAY))

    window = await _window(clinic, first)

    assert window["shift_following"] == {"earliest": None, "latest": None}
    assert EASTER_MONDAY in [d["day"] for d in window["closed"] if d["kind"] == "holiday"]
    opened = await clinic.client.put(
        f"/v1/holidays/{EASTER_MONDAY}", json={"open": True}, headers=ADMIN
    )
    assert opened.status_code == 200, opened.text
    reopened = await _window(clinic, first)
    assert EASTER_MONDAY not in [d["day"] for d in reopened["closed"]]
