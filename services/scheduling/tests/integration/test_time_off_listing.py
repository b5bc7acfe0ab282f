"""Every practitioner's time off over a range, for the dashboard's calendar."""

from __future__ import annotations

from datetime import timedelta

from .conftest import ADMIN, DESK, MONDAY, local


async def test_time_off_overlapping_the_range_is_listed_with_its_practitioner(clinic) -> None:
    away = {"starts_at": local(MONDAY, 14), "ends_at": local(MONDAY, 18), "reason": "Training"}
    path = f"/v1/practitioners/{clinic.practitioner}/time-off"
    assert (await clinic.post(path, away, headers=ADMIN)).status_code == 201
    later = {
        "starts_at": local(MONDAY + timedelta(days=20), 9),
        "ends_at": local(MONDAY + timedelta(days=21), 9),
    }
    assert (await clinic.post(path, later, headers=ADMIN)).status_code == 201

    week = {"from": local(MONDAY, 0), "to": local(MONDAY + timedelta(days=7), 0)}
    listed = await clinic.client.get("/v1/time-off", params=week, headers=DESK)

    assert listed.status_code == 200, listed.text
    assert [(t["practitioner_id"], t["reason"]) for t in listed.json()] == [
        (clinic.practitioner, "Training")
    ]
    assert listed.json()[0]["starts_at"] == "2030-03-04T13:00:00Z"


async def test_a_range_backwards_or_too_long_names_the_field(clinic) -> None:
    backwards = {"from": local(MONDAY, 10), "to": local(MONDAY, 9)}
    too_long = {"from": local(MONDAY, 0), "to": local(MONDAY + timedelta(days=63), 0)}
    no_offset = {"from": "2030-03-04T10:00", "to": local(MONDAY, 12)}
    for params, field in (
        (backwards, "query.to"),
        (too_long, "query.to"),
        (no_offset, "query.from"),
    ):
        refused = await clinic.client.get("/v1/time-off", params=params, headers=DESK)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in refused.json()["errors"]] == [field]
