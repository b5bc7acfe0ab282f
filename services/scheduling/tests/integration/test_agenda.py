"""The agenda: a span's sessions with the names a calendar shows, in one request."""

from __future__ import annotations

from .conftest import ADMIN, DESK, MONDAY, bearer, days, local

STOCK = bearer("stock_manager")


async def test_the_week_comes_with_patient_treatment_practitioner_and_room_names(clinic) -> None:
    amelia = await clinic.course()
    zoe = await clinic.course(patient=await clinic.new_patient("Zoe"))
    first = await clinic.book_ok(amelia, local(MONDAY + days(1), 10))
    second = await clinic.book_ok(zoe, local(MONDAY + days(2), 11), room=1)
    await clinic.book_ok(amelia, local(MONDAY + days(9), 10))  # the week after

    week = {"from": local(MONDAY, 0), "to": local(MONDAY + days(7), 0)}
    answer = await clinic.client.get("/v1/agenda", params=week, headers=DESK)

    assert answer.status_code == 200, answer.text
    assert [
        (e["id"], e["patient_name"], e["treatment_name"], e["practitioner_name"], e["room_name"])
        for e in answer.json()
    ] == [
        (first["id"], "Amelia Hart", "Cellulite mesotherapy: thighs", "Dr Dubois", "Room 1"),
        (second["id"], "Zoe Test", "Cellulite mesotherapy: thighs", "Dr Dubois", "Room 2"),
    ]
    assert answer.json()[0]["sequence"] == 1
    assert answer.json()[0]["starts_at"] == "2030-03-05T09:00:00Z"


async def test_a_session_overlapping_the_start_is_in_and_filters_narrow_it(clinic) -> None:
    course = await clinic.course()
    session = await clinic.book_ok(course, local(MONDAY + days(1), 10))
    midway = {"from": local(MONDAY + days(1), 10, 15), "to": local(MONDAY + days(1), 12)}

    overlapping = await clinic.client.get("/v1/agenda", params=midway, headers=DESK)
    other_room = await clinic.client.get(
        "/v1/agenda", params=midway | {"room_id": clinic.rooms[1]}, headers=DESK
    )
    cancelled = await clinic.client.get(
        "/v1/agenda", params=midway | {"status": "cancelled"}, headers=DESK
    )

    assert [e["id"] for e in overlapping.json()] == [session["id"]]
    assert other_room.json() == []
    assert cancelled.json() == []


async def test_a_stock_manager_sees_times_and_places_without_patient_names(clinic) -> None:
    await clinic.book_ok(await clinic.course(), local(MONDAY + days(1), 10))
    week = {"from": local(MONDAY, 0), "to": local(MONDAY + days(7), 0)}

    seen = await clinic.client.get("/v1/agenda", params=week, headers=STOCK)

    assert seen.status_code == 200, seen.text
    assert [(e["patient_name"], e["room_name"]) for e in seen.json()] == [(None, "Room 1")]


async def test_a_span_backwards_or_over_62_days_names_the_field(clinic) -> None:
    too_long = {"from": local(MONDAY, 0), "to": local(MONDAY + days(63), 0)}
    backwards = {"from": local(MONDAY, 10), "to": local(MONDAY, 9)}
    for params in (too_long, backwards):
        refused = await clinic.client.get("/v1/agenda", params=params, headers=ADMIN)
        assert refused.status_code == 422, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == ["query.to"]
