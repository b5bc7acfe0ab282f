"""What the calendar shows whatever the browser's own zone: its "now" line at the clinic's time,
sessions at their clinic times; and in a week's narrow columns, text kept inside its box."""

from __future__ import annotations

from datetime import UTC, datetime, time

from playwright.async_api import Browser, Page, expect

from clinic_shared.auth import Role

from .conftest import SIGN_IN_WAIT, E2EStack, demo_account, screenshot, sign_in
from .test_calendar import PARIS, WALL_CLOCK

NEW_YORK = "America/New_York"  # six hours behind Paris: a wrong zone cannot go unseen
WIDE = {"width": 1400, "height": 1400}
# The grid's time where the "now" line is drawn, and where a session's block starts.
CLOCK_AT = (
    "([x, y]) => {"
    + WALL_CLOCK
    + "const d = window.clinicCalendar.dateFromPoint(x, y).date;"
    + " return `${dayOf(d)}T${clock(d)}`; }"
)


async def signed_in_from(stack: E2EStack, browser: Browser, zone: str) -> Page:
    """A receptionist's page in a browser whose own clock is in `zone`."""
    context = await browser.new_context(
        base_url=stack.dashboard_url, viewport=WIDE, timezone_id=zone
    )
    page = await context.new_page()
    await page.goto("/signin")
    await sign_in(page, *demo_account(Role.RECEPTIONIST))
    await page.get_by_role("button", name="Sign out").wait_for(timeout=SIGN_IN_WAIT)
    return page


async def clock_at(page: Page, x: float, y: float) -> str:
    return str(await page.evaluate(CLOCK_AT, [x, y]))


async def test_the_now_line_and_the_sessions_keep_the_clinics_time_in_another_zone(
    stack, browser
) -> None:
    first, *_ = await stack.demo_sessions()
    starts = datetime.fromisoformat(first["starts_at"]).astimezone(PARIS)
    now = datetime.combine(starts.date(), time(9, 45), UTC)  # the browser's clock, made up
    paris = now.astimezone(PARIS)
    half_hour = paris.replace(minute=paris.minute - paris.minute % 30)
    page = await signed_in_from(stack, browser, NEW_YORK)
    await page.clock.set_fixed_time(now)

    await page.goto(f"/calendar?day={starts.date().isoformat()}&view=day")

    line = page.locator("#calendar .ec-now-indicator")
    await expect(line).to_be_visible()
    box = await line.bounding_box()
    assert box, "the now line is drawn"
    assert await clock_at(page, box["x"] + box["width"] / 2, box["y"] + 1) == (
        f"{half_hour:%Y-%m-%dT%H:%M}"
    ), "the line is at the clinic's time, not New York's nor UTC's"
    block = page.locator(f'[data-session-id="{first["id"]}"]')
    await expect(block).to_be_visible()
    shown = await block.bounding_box()
    assert shown
    assert await clock_at(page, shown["x"] + shown["width"] / 2, shown["y"] + 4) == (
        f"{starts:%Y-%m-%dT%H:%M}"
    )
    await screenshot(page, "calendar-now-line-new-york-browser")


CUT_SHORT = """() => [...document.querySelectorAll('#calendar .ec-event.cal-session')].map((e) => {
  const body = e.querySelector('.ec-event-body');
  const box = e.getBoundingClientRect();
  const words = document.createRange();
  words.selectNodeContents(body);
  const text = words.getBoundingClientRect();  // where the words are laid out, clipped or not
  const style = getComputedStyle(body);
  const fits = text.left >= box.left - 0.5 && text.right <= box.right + 0.5
    && text.bottom <= box.bottom + 0.5;
  return {
    inside: fits || (style.overflow === 'hidden' && getComputedStyle(e).overflow === 'hidden'),
    ellipsis: style.textOverflow === 'ellipsis' && style.whiteSpace === 'nowrap',
    cut: body.scrollWidth > body.clientWidth,
  };
})"""


async def test_in_the_week_a_sessions_text_ends_in_an_ellipsis_inside_its_box(
    stack, signed_in
) -> None:
    first, *_ = await stack.demo_sessions()
    day = datetime.fromisoformat(first["starts_at"]).astimezone(PARIS).date()
    page = await signed_in(Role.RECEPTIONIST)
    await page.set_viewport_size(WIDE)

    await page.goto(f"/calendar?day={day.isoformat()}&view=week")
    await expect(page.locator(f'[data-session-id="{first["id"]}"]')).to_be_visible()

    sessions = await page.evaluate(CUT_SHORT)
    assert sessions, "Amelia Hart's session is in the week"
    assert all(s["inside"] and s["ellipsis"] for s in sessions), sessions
    assert any(s["cut"] for s in sessions), "some text is too long for a week's column"
    block = page.locator(f'[data-session-id="{first["id"]}"]')
    await expect(block).to_have_attribute("title", await block.get_attribute("aria-label") or "")
    await screenshot(page, "calendar-week-ellipsis")

    await page.goto(f"/calendar?day={day.isoformat()}&view=day")
    await expect(page.locator(f'[data-session-id="{first["id"]}"]')).to_be_visible()
    in_a_day = await page.evaluate(CUT_SHORT)
    assert all(s["inside"] and not s["ellipsis"] for s in in_a_day), "a day's text wraps"


async def test_the_today_button_reads_today_while_today_is_shown(stack, signed_in) -> None:
    page = await signed_in(Role.RECEPTIONIST)

    await page.goto("/calendar?view=week")

    today = page.locator("#calendar .ec-button", has_text="Today")
    await expect(today).to_be_disabled()
    colours = await today.evaluate(
        "(b) => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
    )
    assert colours[0] != colours[1], colours
    assert colours[0] != "rgb(255, 255, 255)", "white on the library's light button"
