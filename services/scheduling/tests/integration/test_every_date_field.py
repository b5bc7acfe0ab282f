"""Every date and instant the API takes, in a body or a query string, refuses year 9999 and year
0001 with a 422 naming it, and nothing is written. The list is checked against the OpenAPI
description, so a new date field cannot be left out."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from clinic_shared.patient_links import mint_link

from .conftest import ADMIN, MONDAY, Clinic, days, local

# (method, path, where the date goes): the date's place as the 422 names it.
FIELDS = {
    ("POST", "/v1/sessions", "body.starts_at"),
    ("GET", "/v1/sessions", "query.from"),
    ("GET", "/v1/sessions", "query.to"),
    ("POST", "/v1/sessions/{session_id}/reschedule", "body.starts_at"),
    ("POST", "/v1/courses/{course_id}/plan", "body.first_date"),
    ("POST", "/v1/courses/{course_id}/book-plan", "body.sessions[0].starts_at"),
    ("POST", "/v1/practitioners/{practitioner_id}/time-off", "body.starts_at"),
    ("POST", "/v1/practitioners/{practitioner_id}/time-off", "body.ends_at"),
    ("GET", "/v1/agenda", "query.from"),
    ("GET", "/v1/agenda", "query.to"),
    ("GET", "/v1/time-off", "query.from"),
    ("GET", "/v1/time-off", "query.to"),
    ("POST", "/v1/closures", "body.starts_at"),
    ("POST", "/v1/closures", "body.ends_at"),
    ("GET", "/v1/closures", "query.from"),
    ("GET", "/v1/closures", "query.to"),
    ("PUT", "/v1/holidays/{day}", "path.day"),
    ("GET", "/v1/sessions/states", "query.updated_since"),
    ("POST", "/v1/course-plans", "body.first_date"),
    ("POST", "/v1/courses", "body.sessions[0].starts_at"),
    ("POST", "/v1/self-service/sessions/{session_id}/move", "body.starts_at"),
    *(
        ("GET", f"/v1/reports/{report}", f"query.{end}")
        for report in ("utilisation", "attendance", "adherence")
        for end in ("from", "to")
    ),
}
FAR_INSTANTS = ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00"]
FAR_DAYS = {"9999-12-31T23:00:00-05:00": "9999-12-31", "0001-01-01T00:30:00+01:00": "0001-01-01"}


def _date_fields(schema: dict[str, Any], spec: dict[str, Any], path: str) -> Iterator[str]:
    """The places of every date or date-time in a schema, `[0]` for a list's items."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        yield from _date_fields(spec["components"]["schemas"][name], spec, path)
        return
    for alternative in schema.get("anyOf", []) + schema.get("allOf", []):
        yield from _date_fields(alternative, spec, path)
    if schema.get("format") in {"date", "date-time"}:
        yield path
    for name, field in schema.get("properties", {}).items():
        yield from _date_fields(field, spec, f"{path}.{name}")
    if "items" in schema:
        yield from _date_fields(schema["items"], spec, f"{path}[0]")


def _described(spec: dict[str, Any]) -> set[tuple[str, str, str]]:
    found = set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                place = f"{parameter['in']}.{parameter['name']}"
                for field in _date_fields(parameter["schema"], spec, place):
                    found.add((method.upper(), path, field))
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            for field in _date_fields(body or {}, spec, "body"):
                found.add((method.upper(), path, field))
    return found


async def test_the_list_holds_every_date_the_api_takes(clinic: Clinic) -> None:
    spec = (await clinic.client.get("/openapi.json")).json()
    assert _described(spec) == FIELDS


async def _request(
    clinic: Clinic, method: str, path: str, field: str, far: str
) -> tuple[str, dict[str, Any]]:
    """The path filled in and a request valid but for `field`, which holds `far`."""
    course = await clinic.course()
    session = await clinic.book_ok(course, local(MONDAY))
    path = path.format(
        session_id=session["id"],
        course_id=course,
        practitioner_id=clinic.practitioner,
        day=FAR_DAYS[far],
    )
    near = local(MONDAY + days(1))
    opening = {
        "patient_id": clinic.patient,
        "treatment_code": "cellulite-arms",  # not the thighs course's area, open already
        "practitioner_id": clinic.practitioner,
    }
    if path == "/v1/course-plans":
        return path, {"json": opening | {"first_date": FAR_DAYS[far]}}
    if path == "/v1/courses":
        return path, {
            "json": opening | {"sessions": [{"starts_at": far, "room_id": clinic.rooms[0]}]}
        }
    if path.endswith("/plan"):
        return path, {"json": {"first_date": FAR_DAYS[far]}}
    if path.endswith("/book-plan"):
        return path, {"json": {"sessions": [{"starts_at": far, "room_id": clinic.rooms[0]}]}}
    if path.startswith("/v1/self-service/"):  # the patient's link, not a staff token
        key = clinic.app.state.runtime.settings.patient_link_key.get_secret_value()
        link = {"X-Patient-Link": mint_link(key, uuid.UUID(course))}
        return path, {"json": {"starts_at": far}, "headers": link}
    if path.endswith("/reschedule"):
        return path, {"json": {"starts_at": far}}
    if path == "/v1/sessions" and method == "POST":
        return path, {"json": {"course_id": course, "starts_at": far, "room_id": clinic.rooms[0]}}
    if method == "PUT" and path.startswith("/v1/holidays/"):
        return path, {"json": {"open": True}}
    if method == "POST" and path.endswith(("/time-off", "/closures")):
        valid = {"starts_at": near, "ends_at": local(MONDAY + days(2)), "reason": "summer"}
        return path, {"json": valid | {field.removeprefix("body."): far}}
    if path.startswith("/v1/reports/"):  # clinic-local days, not instants
        period = {"from": MONDAY.isoformat(), "to": (MONDAY + days(1)).isoformat()}
        return path, {"params": period | {field.removeprefix("query."): FAR_DAYS[far]}}
    valid = {"from": near, "to": local(MONDAY + days(2))}
    return path, {"params": valid | {field.removeprefix("query."): far}}


@pytest.mark.parametrize("far", FAR_INSTANTS, ids=["year 9999", "year 0001"])
@pytest.mark.parametrize(("method", "path", "field"), sorted(FIELDS))
async def test_a_far_date_in_any_field_is_a_422_naming_it(
    clinic: Clinic, method: str, path: str, field: str, far: str
) -> None:
    target, request = await _request(clinic, method, path, field, far)
    before = (await clinic.client.get("/v1/sessions", headers=ADMIN)).json()

    headers = request.pop("headers", ADMIN)
    answer: httpx.Response = await clinic.client.request(method, target, headers=headers, **request)

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert (await clinic.client.get("/v1/sessions", headers=ADMIN)).json() == before
