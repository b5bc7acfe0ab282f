"""The front desk on a phone (390 by 844): the agenda and the calendar's day view fit the screen
without scrolling sideways, and a session there can be seen and acted on."""

from __future__ import annotations

import re
from datetime import datetime

from playwright.async_api import Page, expect

from clinic_shared.auth import Role

from .conftest import screenshot
from .test_calendar import PARIS

PHONE = {"width": 390, "height": 844}


async def fits_the_screen(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways: {width}px wide"


async def within_the_screen(page: Page, selector: str) -> None:
    box = await page.locator(selector).first.bounding_box()
    assert box, f"{selector} is not shown"
    assert box["x"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= PHONE["width"], (selector, box)


async def test_the_agenda_on_a_phone_shows_each_session_and_its_actions(stack, signed_in) -> None:
    first, *_ = await stack.demo_sessions()
    day = datetime.fromisoformat(first["starts_at"]).astimezone(PARIS).date()
    page = await signed_in(Role.RECEPTIONIST)
    await page.set_viewport_size(PHONE)

    await page.goto(f"/?day={day.isoformat()}")
    row = page.locator(f"#session-{first['id']}")
    await expect(row).to_contain_text("Amelia Hart")
    await expect(row).to_contain_text("Booked")

    await fits_the_screen(page)
    await within_the_screen(page, f"#session-{first['id']}")
    reschedule = row.get_by_role("button", name="Reschedule")
    await reschedule.scroll_into_view_if_needed()
    await within_the_screen(page, f"#session-{first['id']} button:has-text('Reschedule')")
    await reschedule.click()
    starts = datetime.fromisoformat(first["starts_at"]).astimezone(PARIS)
    await expect(page.get_by_label("New day and time")).to_have_value(f"{starts:%Y-%m-%dT%H:%M}")
    await fits_the_screen(page)
    await screenshot(page, "agenda-day-phone")


async def test_the_calendars_day_on_a_phone_shows_each_session_and_opens_it(
    stack, signed_in
) -> None:
    first, *_ = await stack.demo_sessions()
    starts = datetime.fromisoformat(first["starts_at"]).astimezone(PARIS)
    page = await signed_in(Role.RECEPTIONIST)
    await page.set_viewport_size(PHONE)

    await page.goto(f"/calendar?day={starts.date().isoformat()}&view=day")
    block = page.locator(f'[data-session-id="{first["id"]}"]')
    await expect(block).to_have_attribute("aria-label", re.compile(r"^Amelia Hart · .* · Booked"))
    await block.scroll_into_view_if_needed()
    await expect(block).to_be_visible()

    await fits_the_screen(page)
    await within_the_screen(page, f'[data-session-id="{first["id"]}"]')
    await block.click()
    await expect(page.get_by_label("New day and time")).to_have_value(f"{starts:%Y-%m-%dT%H:%M}")
    await fits_the_screen(page)
    await screenshot(page, "calendar-day-phone")
