"""A treatment code that names nothing: 404 in a path, 422 naming the field in a body."""

from __future__ import annotations

import pytest

from .conftest import ADMIN, Clinic


async def test_a_treatment_is_read_by_its_code(clinic: Clinic) -> None:
    found = await clinic.client.get(
        "/v1/treatments/cellulite-thighs-intensive", headers=clinic.doctor
    )
    assert found.status_code == 200, found.text
    assert found.json()["max_interval_days"] == 10
    assert found.json()["area"] == "thighs"


@pytest.mark.parametrize("code", ["botox", "CELLULITE-THIGHS", "cellulite thighs", "x" * 500])
async def test_an_unknown_code_in_the_path_is_a_404(clinic: Clinic, code: str) -> None:
    missing = await clinic.client.get(f"/v1/treatments/{code}", headers=ADMIN)
    assert missing.status_code == 404, missing.text
    assert missing.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("code", ["botox", "CELLULITE-THIGHS", "x" * 50])
async def test_an_unknown_code_in_a_course_is_a_422_naming_the_field(
    clinic: Clinic, code: str
) -> None:
    refused = await clinic.post(
        "/v1/courses",
        {
            "patient_id": clinic.patient,
            "treatment_code": code,
            "practitioner_id": clinic.practitioner,
        },
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"] == [
        {"field": "body.treatment_code", "reason": "no such treatment"}
    ]
    courses = await clinic.client.get(
        "/v1/courses", params={"patient_id": clinic.patient}, headers=ADMIN
    )
    assert courses.json() == []
