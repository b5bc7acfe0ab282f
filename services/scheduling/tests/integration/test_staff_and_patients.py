"""The catalogue, staff set-up and patient records: validated, role-checked, announced."""

from __future__ import annotations

from clinic_testing.helpers import bearer, eventually

from .conftest import ADMIN, DESK, Clinic


async def test_treatment_catalogue_is_there_from_the_first_migration(clinic: Clinic) -> None:
    response = await clinic.client.get("/v1/treatments", headers=bearer("stock_manager"))
    codes = {t["code"]: t for t in response.json()}
    for code in (
        "cellulite-thighs",
        "cellulite-buttocks",
        "cellulite-abdomen",
        "cellulite-calves",
        "cellulite-arms",
    ):
        assert code in codes
    assert codes["cellulite-thighs"]["session_minutes"] > codes["cellulite-arms"]["session_minutes"]
    assert codes["cellulite-thighs-intensive"]["max_interval_days"] == 10


async def test_admin_adds_a_treatment_others_may_not(clinic: Clinic) -> None:
    body = {
        "code": "cellulite-knees",
        "name": "Knees",
        "area": "knees",
        "session_minutes": 15,
        "default_sessions": 8,
    }
    desk = await clinic.post("/v1/treatments", body, headers=DESK)
    created = await clinic.post("/v1/treatments", body, headers=ADMIN)
    again = await clinic.post("/v1/treatments", body, headers=ADMIN)
    inverted = await clinic.post(
        "/v1/treatments",
        body | {"code": "x-y", "min_interval_days": 10, "max_interval_days": 7},
        headers=ADMIN,
    )
    assert (desk.status_code, created.status_code, again.status_code) == (403, 201, 409)
    assert created.json()["min_interval_days"] == 7
    assert inverted.status_code == 422


async def test_working_hours_are_validated(clinic: Clinic) -> None:
    url = f"/v1/practitioners/{clinic.practitioner}/hours"
    backwards = await clinic.client.put(
        url, json=[{"weekday": 0, "start": "17:00", "end": "09:00"}], headers=ADMIN
    )
    overlapping = await clinic.client.put(
        url,
        json=[
            {"weekday": 1, "start": "09:00", "end": "13:00"},
            {"weekday": 1, "start": "12:00", "end": "18:00"},
        ],
        headers=ADMIN,
    )
    unknown = await clinic.client.put(
        "/v1/practitioners/00000000-0000-4000-8000-00000000dead/hours", json=[], headers=ADMIN
    )
    kept = await clinic.client.get(url, headers=DESK)
    assert backwards.status_code == 422
    assert overlapping.status_code == 422
    assert overlapping.json()["errors"][0]["field"] == "body[1]"
    assert unknown.status_code == 404
    assert len(kept.json()) == 6  # the original Monday-Saturday hours are unchanged


async def test_rooms_have_unique_names(clinic: Clinic) -> None:
    again = await clinic.post("/v1/rooms", {"name": "Room 1"}, headers=ADMIN)
    assert again.status_code == 409


async def test_patient_update_is_announced_and_search_finds_by_name_and_phone(
    clinic: Clinic,
) -> None:
    patched = await clinic.client.patch(
        f"/v1/patients/{clinic.patient}",
        json={"email": "amelia@example.com", "preferred_channel": "email"},
        headers=DESK,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["phone"] == "+447911123456"
    unreachable = await clinic.client.patch(
        f"/v1/patients/{clinic.patient}", json={"email": None}, headers=DESK
    )
    assert unreachable.status_code == 422
    by_name = await clinic.client.get("/v1/patients", params={"q": "ameLIA h"}, headers=DESK)
    by_phone = await clinic.client.get("/v1/patients", params={"q": "+447911123456"}, headers=DESK)
    wildcard = await clinic.client.get("/v1/patients", params={"q": "%"}, headers=DESK)
    assert [p["id"] for p in by_name.json()] == [clinic.patient]
    assert [p["id"] for p in by_phone.json()] == [clinic.patient]
    assert wildcard.json() == []

    async def updates() -> list:
        return [e for e in clinic.events if e.type == "scheduling.patient.updated"]

    [event] = await eventually(updates, until=lambda found: len(found) == 1)
    assert event.data["email"] == "amelia@example.com"
    assert event.data["preferred_channel"] == "email"
