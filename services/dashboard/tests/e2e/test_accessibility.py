"""axe-core on every page of the dashboard, as each role that may open it: no serious or
critical violation in our own markup. What axe reports inside the calendar library's DOM
(EventCalendar's `.ec` grid, markup we do not write) is compared with the list in
services/dashboard/ACCESSIBILITY.md, so a new one fails here instead of being hidden."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page

from clinic_shared.auth import Role

from .conftest import DEMO_PATIENT, screenshot

DR_DUBOIS = "00000000-0000-4000-8000-0000000000a1"
# the demo course's first session: a practitioner's day with her own sessions first
TOMORROW = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=1)).date().isoformat()
SERIOUS = {"serious", "critical"}
LIBRARY_ROOT = ".ec"  # EventCalendar's root element inside #calendar
KNOWN_IN_LIBRARY = Path(__file__).parents[2] / "ACCESSIBILITY.md"

# Every page a role opens from its navigation, and the pages one click further.
PAGES: dict[Role, list[str]] = {
    Role.ADMIN: [
        "/",
        "/?week=true&by=room",
        "/calendar",
        "/calendar?view=week&by=room",
        "/book",
        f"/book?patient_id={DEMO_PATIENT}",
        "/patients",
        f"/patients/{DEMO_PATIENT}",
        f"/patients/{DEMO_PATIENT}/edit",
        "/stock",
        "/orders",
        "/alerts",
        "/waitlist",
        "/reports/utilisation",
        "/reports/attendance",
        "/reports/adherence",
        "/reports/vials",
        "/reports/expiry-waste",
        "/messages",
        "/messages?status=failed&channel=sms",
        "/stock?days=31",
        "/settings/staff",
        "/settings/clinic",
        f"/settings/practitioners/{DR_DUBOIS}/hours",
        "/settings/reminders",
        "/settings/closures",
        "/settings/feeds",
    ],
    Role.RECEPTIONIST: [
        "/",
        "/calendar",
        "/book",
        "/patients",
        "/waitlist",
        "/alerts",
        "/reports/attendance",
        "/messages",
    ],
    Role.PRACTITIONER: [
        "/",
        f"/?day={TOMORROW}",
        "/calendar",
        "/patients",
        f"/patients/{DEMO_PATIENT}",  # her own patient's: the demo course is hers
        "/stock",
        "/alerts",
    ],
    Role.STOCK_MANAGER: ["/", "/stock", "/orders", "/suppliers", "/alerts"],
}


def known_library_rules() -> set[str]:
    """The axe rule ids ACCESSIBILITY.md lists as found inside the library's DOM."""
    text = KNOWN_IN_LIBRARY.read_text()
    section = text.split("## Inside EventCalendar", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^- `([a-z0-9-]+)`", section, flags=re.MULTILINE))


def in_library(node: dict[str, Any]) -> bool:
    """A node of EventCalendar's DOM: its selector or its markup carries the library's classes."""
    selector = " ".join(map(str, node["target"]))
    return LIBRARY_ROOT in selector or 'class="ec' in node.get("html", "")


async def serious_violations(page: Page) -> tuple[list[str], set[str]]:
    """(ours: rule, impact and the first nodes of each; rule ids inside the library only)."""
    await page.wait_for_load_state("networkidle")
    results = await Axe().run(page)
    ours, library = [], set()
    for violation in results.response["violations"]:
        if violation["impact"] not in SERIOUS:
            continue
        nodes = [n for n in violation["nodes"] if not in_library(n)]
        if len(nodes) < len(violation["nodes"]):
            library.add(violation["id"])
        if nodes:
            where = "; ".join(str(n["target"]) for n in nodes[:3])
            ours.append(f"{violation['id']} ({violation['impact']}): {where}")
    return ours, library


async def course_pages(stack: Any, role: Role) -> list[str]:
    """The pages of the demo course, whose id the seed draws: its prescription, for those who
    prescribe (an admin, and the practitioner whose course it is)."""
    if role not in {Role.ADMIN, Role.PRACTITIONER}:
        return []
    first, *_ = await stack.demo_sessions()
    return [f"/patients/{DEMO_PATIENT}/courses/{first['course_id']}/prescription"]


@pytest.mark.parametrize("role", list(PAGES), ids=lambda r: r.value)
async def test_no_serious_violation_in_our_markup_on_any_page(stack, signed_in, role: Role) -> None:
    page = await signed_in(role)
    found: dict[str, list[str]] = {}
    library: set[str] = set()
    for path in PAGES[role] + await course_pages(stack, role):
        response = await page.goto(path)
        assert response is not None
        assert response.status == 200, f"{role.value} opens {path}"
        ours, in_lib = await serious_violations(page)
        library |= in_lib
        if ours:
            found[path] = ours
            name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "today"
            await screenshot(page, f"axe-{role.value}-{name}")
    assert found == {}, "serious or critical violations in our own markup"
    assert library <= known_library_rules(), "a new violation inside EventCalendar: list it"


async def test_the_signin_page_has_no_serious_violation(stack, browser) -> None:
    page = await browser.new_page(base_url=stack.dashboard_url)
    await page.goto("/signin")
    ours, library = await serious_violations(page)
    assert ours == []
    assert library == set()
