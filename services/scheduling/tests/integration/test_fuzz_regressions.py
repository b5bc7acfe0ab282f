"""Requests Schemathesis found answered with a 500 or outside the OpenAPI, kept as sent."""

from __future__ import annotations

import uuid

from .conftest import ADMIN, Clinic


def _field_errors(response) -> dict[str, str]:
    assert response.headers["content-type"] == "application/problem+json"
    return {e["field"]: e["reason"] for e in response.json()["errors"]}


async def test_a_nul_character_in_a_name_is_a_422_naming_the_field(clinic: Clinic) -> None:
    before = (await clinic.client.get("/v1/practitioners", headers=ADMIN)).json()
    response = await clinic.client.post(
        "/v1/practitioners", json={"name": "\x00H\x1b"}, headers=ADMIN
    )
    assert response.status_code == 422, response.text
    assert "NUL" in _field_errors(response)["body.name"]
    assert (await clinic.client.get("/v1/practitioners", headers=ADMIN)).json() == before


async def test_a_lone_surrogate_in_a_patient_name_is_a_422_naming_the_field(
    clinic: Clinic,
) -> None:
    response = await clinic.client.post(
        "/v1/patients",
        content=b'{"first_name": "\\ud973x", "last_name": "Doe"}',
        headers=ADMIN | {"content-type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert "surrogate" in _field_errors(response)["body.first_name"]


async def test_working_hours_with_a_utc_offset_are_a_422_not_a_500(clinic: Clinic) -> None:
    body = [{"end": "03:22:46.660400Z", "start": "19:33:29.7+21:12", "weekday": 1}]
    response = await clinic.client.put(
        f"/v1/practitioners/{clinic.practitioner}/hours", json=body, headers=ADMIN
    )
    assert response.status_code == 422, response.text
    errors = _field_errors(response)
    assert "no UTC offset" in errors["body.0.start"]
    assert "no UTC offset" in errors["body.0.end"]


async def test_a_weekday_sent_as_a_boolean_is_refused(clinic: Clinic) -> None:
    body = [{"start": "09:00", "end": "17:00", "weekday": True}]
    response = await clinic.client.put(
        f"/v1/practitioners/{clinic.practitioner}/hours", json=body, headers=ADMIN
    )
    assert response.status_code == 422, response.text
    assert "body.0.weekday" in _field_errors(response)


async def test_a_method_a_route_does_not_take_is_a_405_listing_every_method_it_does(
    clinic: Clinic,
) -> None:
    response = await clinic.client.request("TRACE", f"/v1/patients/{uuid.uuid4()}", headers=ADMIN)
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "PATCH"}


async def test_the_openapi_declares_each_problem_and_links_a_create_to_its_reads(
    clinic: Clinic,
) -> None:
    schema = (await clinic.client.get("/openapi.json")).json()
    read = schema["paths"]["/v1/patients/{patient_id}"]["get"]["responses"]
    assert {"401", "403", "404", "405", "422", "429", "503"} <= set(read)
    assert "application/problem+json" in read["404"]["content"]
    created = schema["paths"]["/v1/patients"]["post"]["responses"]["201"]
    link = created["links"][read_id := "read_patient_v1_patients__patient_id__get"]
    assert link == {"operationId": read_id, "parameters": {"patient_id": "$response.body#/id"}}


async def test_time_off_starting_at_the_number_zero_is_refused_not_read_as_1970(
    clinic: Clinic,
) -> None:
    body = {"ends_at": "2000-01-01T00:00:00Z", "reason": "", "starts_at": 0}
    response = await clinic.client.post(
        f"/v1/practitioners/{clinic.practitioner}/time-off", json=body, headers=ADMIN
    )
    assert response.status_code == 422, response.text
    assert "ISO 8601" in _field_errors(response)["body.starts_at"]


async def test_a_session_list_up_to_a_bare_number_is_refused(clinic: Clinic) -> None:
    response = await clinic.client.get("/v1/sessions", params={"to": "0.5"}, headers=ADMIN)
    assert response.status_code == 422, response.text
    assert "ISO 8601" in _field_errors(response)["query.to"]
