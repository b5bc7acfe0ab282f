"""Issue 24's proof on a phone (390x844): a patient opens their link, moves a session to a free
time inside the course's window (no time outside it is offered), is refused a late cancel
politely, and finds an expired link explained. No sign-in: the link is the patient's key."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, Page, expect

from clinic_shared.patient_links import mint_link

from .conftest import DEMO_PATIENT, E2EStack, screenshot

PHONE = {"width": 390, "height": 844}
PARIS = ZoneInfo("Europe/Paris")  # the demo clinic's


async def _course(stack: E2EStack) -> dict[str, Any]:
    async with stack.api("scheduling") as api:
        courses = await api.get("/v1/courses", params={"patient_id": DEMO_PATIENT})
    [course] = [c for c in courses.json() if c["status"] == "active"]
    return dict(course)


async def _on_phone(stack: E2EStack, browser: Browser, course_id: str) -> tuple[Page, str]:
    key = stack.apps["dashboard"].state.settings.patient_link_key.get_secret_value()
    path = f"/p/{mint_link(key, uuid.UUID(course_id))}"
    context = await browser.new_context(
        base_url=stack.dashboard_url, viewport=PHONE, is_mobile=True, has_touch=True
    )
    page = await context.new_page()
    await page.goto(path)
    return page, path


async def _fits_the_screen(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px phone"


def _upcoming(course: dict[str, Any]) -> list[dict[str, Any]]:
    booked = [s for s in course["sessions"] if s["status"] in ("booked", "confirmed")]
    return sorted(booked, key=lambda s: s["starts_at"])


async def test_a_patient_moves_a_session_to_a_time_inside_the_window(
    stack: E2EStack, browser: Browser
) -> None:
    course = await _course(stack)
    session = _upcoming(course)[-1]  # the last: its window is the widest (after its neighbour)
    async with stack.api("scheduling") as api:
        window = (await api.get(f"/v1/sessions/{session['id']}/window")).json()
    earliest = date.fromisoformat(window["alone"]["earliest"])
    latest = date.fromisoformat(window["alone"]["latest"])
    closed = {date.fromisoformat(c["day"]) for c in window["closed"]}

    page, _ = await _on_phone(stack, browser, course["id"])
    await expect(page.get_by_role("heading", name="Hello Amelia")).to_be_visible()
    await _fits_the_screen(page)
    await page.locator(f'a[href$="?move={session["id"]}"]').click()
    offered = page.locator('input[name="starts_at"]')
    await expect(offered.first).to_be_visible()
    starts = [
        datetime.fromisoformat(v) for v in await offered.evaluate_all("i => i.map(e => e.value)")
    ]
    assert starts
    for start in starts:  # never a time outside the window, nor on a closed day
        day = start.astimezone(PARIS).date()
        assert earliest <= day <= latest, (start, earliest, latest)
        assert day not in closed
    await _fits_the_screen(page)
    await screenshot(page, "patient-link-phone-move")

    chosen = starts[-1]
    await offered.last.check()
    await page.get_by_role("button", name="Move my session").click()
    await expect(page.get_by_role("status")).to_contain_text("your session is moved")
    moved = await stack.session(session["id"])
    assert datetime.fromisoformat(moved["starts_at"]) == chosen


async def test_a_late_cancel_is_refused_politely_and_an_expired_link_explained(
    stack: E2EStack, browser: Browser
) -> None:
    course = await _course(stack)
    # the second: the first may be less than a day away already, and offer no cancel
    first, last = _upcoming(course)[1], _upcoming(course)[-1]
    page, path = await _on_phone(stack, browser, course["id"])
    cancel = page.locator(f'form[action$="/sessions/{first["id"]}/cancel"] button')
    await expect(cancel).to_be_visible()

    # the page was opened in time; the cancel is pressed 3 hours before the session
    start = datetime.fromisoformat(first["starts_at"])
    stack.travel_to("scheduling", start - timedelta(hours=3))
    await cancel.click()
    await expect(page.get_by_text("please call the clinic")).to_be_visible()
    await expect(page.get_by_role("heading", name="Hello Amelia")).to_be_visible()
    await _fits_the_screen(page)
    await screenshot(page, "patient-link-phone-late-cancel")
    assert (await stack.session(first["id"]))["status"] in ("booked", "confirmed")

    stack.travel_to("scheduling", datetime.fromisoformat(last["starts_at"]) + timedelta(minutes=1))
    await page.goto(path)
    await expect(page.get_by_role("heading", name="This link has expired")).to_be_visible()
    assert "Amelia" not in await page.locator("body").inner_text()
    await _fits_the_screen(page)
    await screenshot(page, "patient-link-phone-expired")
