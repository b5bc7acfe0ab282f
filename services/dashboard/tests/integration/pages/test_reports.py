"""The Reports page: charts and a table per report, filtered by period and practitioner, and the
same table as CSV, over the demo clinic's sessions and stock."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from typing import Any

import pytest

from clinic_shared.auth import Role
from clinic_testing.helpers import bearer

from .conftest import Clinic

pytestmark = [pytest.mark.postgres, pytest.mark.rabbitmq]

TODAY = date.today()
SPAN = {
    "from": (TODAY - timedelta(days=30)).isoformat(),
    "to": (TODAY + timedelta(days=60)).isoformat(),
}


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def _api(clinic: Clinic, service: str, path: str, **params: str) -> list[dict[str, Any]]:
    answer = await clinic.api(service).get(path, params=params, headers=bearer("admin"))
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def test_attendance_draws_a_chart_and_a_table_and_exports_the_same_rows(
    clinic: Clinic,
) -> None:
    await clinic.sign_in_as(Role.ADMIN)
    expected = await _api(clinic, "scheduling", "/v1/reports/attendance", **SPAN)
    assert expected, "the demo clinic has sessions in the coming 60 days"

    page = await clinic.client.get("/reports/attendance", params=SPAN)
    exported = await clinic.client.get("/reports/attendance/csv", params=SPAN)

    assert page.status_code == 200, page.text
    assert '<svg role="img"' in page.text
    assert 'class="bar bar-missed"' in page.text
    assert 'href="/reports" aria-current' not in page.text  # the nav's entry is there
    assert ">Reports</a>" in page.text
    for row in expected:
        assert f'<td data-label="Practitioner">{row["name"]}</td>' in page.text
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    name = f"attendance-{SPAN['from']}-{SPAN['to']}.csv"
    assert exported.headers["content-disposition"] == f'attachment; filename="{name}"'
    header, *lines = _rows(exported.text)
    assert header[:3] == ["Practitioner", "Sessions", "Completed"]
    assert [(r[0], int(r[1]), int(r[3])) for r in lines] == [
        (r["name"], r["sessions"], r["no_shows"]) for r in expected
    ]


async def test_a_practitioner_filter_narrows_the_page_and_its_csv(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.RECEPTIONIST)
    practitioners = await _api(clinic, "scheduling", "/v1/practitioners")
    first, second = practitioners[0], practitioners[1]
    only = SPAN | {"practitioner": first["id"]}

    page = await clinic.client.get("/reports/utilisation", params=only)
    exported = await clinic.client.get("/reports/utilisation/csv", params=only)

    assert page.status_code == 200, page.text
    assert re.search(rf'<option value="{first["id"]}" selected>', page.text)
    names = [r[1] for r in _rows(exported.text)[1:] if r[0] == "Practitioner"]
    assert names == [first["name"]]  # the demo's practitioners all have working hours
    assert second["name"] not in names


@pytest.mark.parametrize("slug", ["vials", "expiry-waste", "adherence"])
async def test_every_report_answers_with_its_table_or_says_the_period_is_empty(
    clinic: Clinic, slug: str
) -> None:
    await clinic.sign_in_as(Role.ADMIN)

    page = await clinic.client.get(f"/reports/{slug}", params=SPAN)
    exported = await clinic.client.get(f"/reports/{slug}/csv", params=SPAN)

    assert page.status_code == 200, page.text
    assert "<table" in page.text or "Nothing to report in this period." in page.text
    assert exported.status_code == 200
    assert len(_rows(exported.text)[0]) >= 5


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "9999-12-31", "to": "9999-12-31"}, "from"),
        ({"from": TODAY.isoformat(), "to": (TODAY - timedelta(days=1)).isoformat()}, "to"),
        ({"from": "yesterday", "to": "2030-03-01"}, "from"),
    ],
)
async def test_a_period_that_cannot_be_reported_is_shown_beside_its_field(
    clinic: Clinic, params: dict[str, str], field: str
) -> None:
    await clinic.sign_in_as(Role.ADMIN)

    page = await clinic.client.get("/reports/adherence", params=params)
    exported = await clinic.client.get("/reports/adherence/csv", params=params)

    assert page.status_code == 422, page.text
    assert f'<p class="error" id="e-{field}">' in page.text
    assert exported.status_code == 422


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.STOCK_MANAGER])
async def test_reports_are_the_front_desk_s_and_the_admin_s(clinic: Clinic, role: Role) -> None:
    await clinic.sign_in_as(role)

    page = await clinic.client.get("/reports/utilisation", params=SPAN)
    exported = await clinic.client.get("/reports/utilisation/csv", params=SPAN)

    assert (page.status_code, exported.status_code) == (403, 403)


async def test_a_french_reader_gets_the_page_and_the_csv_header_in_french(clinic: Clinic) -> None:
    await clinic.sign_in_as(Role.ADMIN)
    french = {"accept-language": "fr"}

    page = await clinic.client.get("/reports/attendance", params=SPAN, headers=french)
    exported = await clinic.client.get("/reports/attendance/csv", params=SPAN, headers=french)

    assert "<h2>Absences et annulations</h2>" in page.text
    assert "Exporter en CSV" in page.text
    assert _rows(exported.text)[0][:2] == ["Praticien", "Séances"]
