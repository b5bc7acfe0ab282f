"""The README's access table against the code: every route, every role, and no sign-in."""

from __future__ import annotations

from pathlib import Path

import httpx

from clinic_shared.auth import Role
from clinic_testing.access import ROLES, Row, concrete, read_table, routes_of

from .conftest import Dashboard

README = Path(__file__).resolve().parents[2] / "README.md"
SIGN_OUT = ("POST", "/signout")
REFUSED = "Your role does not give access to this page."
PROBLEM = "application/problem+json"


def test_every_route_has_a_row_and_every_row_a_route(dashboard: Dashboard) -> None:
    table, routes = read_table(README), routes_of(dashboard.app)

    assert sorted(routes - set(table)) == [], "routes missing from the README's table"
    assert sorted(set(table) - routes) == [], "rows for routes that do not exist"


def _signed_out(where: str, answer: httpx.Response) -> list[str]:
    if answer.status_code == 303 and answer.headers.get("location") == "/signin":
        return []
    calendar_api = where.split()[1].startswith("/calendar/api/")  # read by a script, not a person
    if calendar_api and answer.status_code == 401 and answer.headers["content-type"] == PROBLEM:
        return []
    return [f"{where} without a sign-in: {answer.status_code}, not a redirect to /signin"]


def _forged_link(where: str, who: str, answer: httpx.Response) -> list[str]:
    """A link this clinic did not sign: the patient's page saying so, whoever asks."""
    page = answer.headers.get("content-type", "").startswith("text/html")
    if answer.status_code == 401 and page and "This link does not work" in answer.text:
        return []
    return [f"{where} {who} with a forged link: {answer.status_code}, not the link's 401 page"]


def _as(where: str, role: str, row: Row, answer: httpx.Response) -> list[str]:
    cell = row.cells[role]
    if cell == "no":
        if answer.status_code == 403 and REFUSED in answer.text:
            return []
        return [f"{where} as {role}: {answer.status_code}, expected the dashboard's 403"]
    broken = answer.status_code >= 500 and answer.status_code != 503
    if answer.status_code in (401, 403) or broken:
        # 503: the services are not running here, and the page says so: past the checks
        return [f"{where} as {role}: {answer.status_code}, expected to get through"]
    return []


async def test_each_role_opens_exactly_what_the_table_allows(dashboard: Dashboard) -> None:
    table = read_table(README)
    ordered = sorted(table.values(), key=lambda r: ((r.method, r.path) == SIGN_OUT, r.path))
    wrong: list[str] = []
    for row in ordered:  # signed out
        where = f"{row.method} {row.path}"
        answer = await dashboard.client.request(row.method, concrete(row.path))
        if row.kind == "public":
            if answer.status_code >= 500 or answer.headers.get("location") == "/signin":
                wrong.append(f"{where} is public but answered {answer.status_code}")
        elif row.kind == "link":
            wrong += _forged_link(where, "signed out", answer)
        else:
            wrong += _signed_out(where, answer)
    for role in ROLES:
        dashboard.client.cookies.clear()
        csrf = await dashboard.sign_in_as(Role(role))
        for row in ordered:
            if row.kind == "public":
                continue
            where = f"{row.method} {row.path}"
            answer = await dashboard.client.request(
                row.method, concrete(row.path), headers={"X-CSRF-Token": csrf}
            )
            if row.kind == "link":
                wrong += _forged_link(where, f"as {role}", answer)
                continue
            wrong += _as(where, role, row, answer)
    assert wrong == []
