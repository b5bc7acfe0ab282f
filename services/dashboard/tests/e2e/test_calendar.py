"""The calendar in the browser: book a course's next session from the grid, move by dragging."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Page, expect

from clinic_shared.auth import Role
from clinic_testing.helpers import holiday_free_monday

from .conftest import screenshot

PARIS = ZoneInfo("Europe/Paris")
AMELIA = "00000000-0000-4000-8000-000000000001"
CHLOE = "00000000-0000-4000-8000-000000000002"
SAM_PATEL = "00000000-0000-4000-8000-0000000000a2"  # Amelia's course is Dr Dubois's
ROOM_1 = "00000000-0000-4000-8000-0000000000b1"
ROOM_2 = "00000000-0000-4000-8000-0000000000b2"
# The grid's Dates carry the clinic's wall clock in their local fields (calendar.js).
WALL_CLOCK = """
  const pad = (n) => String(n).padStart(2, '0');
  const clock = (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const dayOf = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
"""
# Finds where the grid shows (day, HH:MM, column): down the middle for the time, then across.
SLOT_AT = (
    """([day, hhmm, resource]) => {
  const cal = window.clinicCalendar;
  document.querySelector('#calendar .ec-body').scrollIntoView();
  const box = document.querySelector('#calendar .ec-body').getBoundingClientRect();
  const at = (x, y) => cal.dateFromPoint(x, y);"""
    + WALL_CLOCK
    + """
  for (let y = box.top + 2; y < box.bottom; y += 2) {
    const found = at(box.left + box.width / 2, y);
    if (!found || clock(found.date) !== hhmm) continue;
    for (let x = box.left; x < box.right; x += 4) {
      const here = at(x, y + 4);
      if (here && dayOf(here.date) === day && here.resource && here.resource.id === resource) {
        return {x: x + 8, y: y + 4};
      }
    }
  }
  return null;
}"""
)


def wednesday_in(weeks: int) -> date:
    """The Wednesday `weeks` weeks after this one (always in the future for weeks >= 1), in a
    stretch of four weeks with no public holiday (the clinic is closed on those)."""
    monday = holiday_free_monday(datetime.now(PARIS).date())
    return monday + timedelta(weeks=weeks - 1, days=2)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), PARIS)


async def sam_patels_course(
    stack, patient: str, treatment: str, planned: int, starts: list[tuple[datetime, str]]
) -> dict[str, Any]:
    """A course of `patient`'s with Sam Patel, its first sessions booked at `starts` (when,
    which room)."""
    async with stack.api("scheduling", Role.RECEPTIONIST) as api:
        course = await api.post(
            "/v1/courses",
            json={
                "patient_id": patient,
                "treatment_code": treatment,
                "practitioner_id": SAM_PATEL,
                "sessions_planned": planned,
            },
        )
        assert course.status_code == 201, course.text
        sessions = [{"starts_at": when.isoformat(), "room_id": room} for when, room in starts]
        booked = await api.post(
            f"/v1/courses/{course.json()['id']}/book-plan", json={"sessions": sessions}
        )
        assert booked.status_code == 201, booked.text
        return {"id": course.json()["id"], "sessions": booked.json()}


async def chloes_course(stack, *days: date) -> dict[str, Any]:
    """A course of Chloé's with Sam Patel, its first sessions booked at 10:00 on `days`."""
    starts = [(at(d), ROOM_2) for d in days]
    return await sam_patels_course(stack, CHLOE, "cellulite-thighs", 6, starts)


async def course_starts(stack, course_id: str) -> list[datetime]:
    async with stack.api("scheduling") as api:
        course = (await api.get(f"/v1/courses/{course_id}")).json()
    active = [s for s in course["sessions"] if s["status"] in {"booked", "confirmed"}]
    return sorted(datetime.fromisoformat(s["starts_at"]).astimezone(PARIS) for s in active)


async def open_week(page: Page, monday: date) -> None:
    await page.set_viewport_size({"width": 1400, "height": 1400})
    await page.goto(f"/calendar?day={monday.isoformat()}&view=week&by=practitioner")
    await expect(page.locator("#calendar .ec-body")).to_be_visible()


async def slot(page: Page, day: date, hhmm: str) -> dict[str, float]:
    point = await page.evaluate(SLOT_AT, [day.isoformat(), hhmm, SAM_PATEL])
    assert point, f"no slot on the grid for {day} {hhmm}"
    return dict(point)


async def shown_at(page: Page, session_id: str) -> str:
    """The day and time of the grid where the session's block sits."""
    box = await page.locator(f'[data-session-id="{session_id}"]').bounding_box()
    assert box, "the session is not on the grid"
    found = await page.evaluate(
        "([x, y]) => {" + WALL_CLOCK + "const d = window.clinicCalendar.dateFromPoint(x, y).date;"
        " return `${dayOf(d)}T${clock(d)}`; }",
        [box["x"] + box["width"] / 2, box["y"] + 4],
    )
    return str(found)


async def drag(page: Page, session_id: str, to: dict[str, float]) -> None:
    """Drag the session by its top edge (its start) to the point `to`."""
    box = await page.locator(f'[data-session-id="{session_id}"]').bounding_box()
    assert box, "the session is not on the grid"
    await page.mouse.move(box["x"] + 8, box["y"] + 4)
    await page.mouse.down()
    await page.mouse.move(box["x"] + 20, box["y"] + 20, steps=4)
    await page.mouse.move(to["x"], to["y"], steps=12)
    await page.mouse.up()


async def test_booking_from_the_grid_opens_only_the_days_the_interval_allows(
    stack, signed_in
) -> None:
    first = wednesday_in(1)
    course = await chloes_course(stack, first)
    monday = first + timedelta(days=5)  # the next week: session 2 may fall from its Wednesday on
    page = await signed_in(Role.RECEPTIONIST)
    await open_week(page, monday)

    await page.get_by_label("Patient").fill("Martin")
    await page.get_by_role("button", name="Find courses").click()
    await expect(page.get_by_label("Course to book")).to_have_value(course["id"])
    await expect(page.get_by_role("status")).to_contain_text("Session 2 may be booked on")
    too_soon = page.locator(f'.cal-not-allowed[data-day="{monday.isoformat()}"]').first
    await expect(too_soon).to_have_attribute(
        "title", f"Too soon: session 2 comes at least 7 days after the last one ({first:%a %d %b})."
    )
    saturday = page.locator(f'.cal-not-allowed[data-day="{monday + timedelta(days=5)}"]').first
    await expect(saturday).to_have_attribute("title", "Sam Patel does not work on Saturdays.")
    await screenshot(page, "calendar-booking-window")

    await page.mouse.click(**await slot(page, monday, "10:00"))
    await expect(page.get_by_role("alert").filter(has_text="Too soon")).to_be_visible()
    thursday = monday + timedelta(days=3)
    await page.mouse.click(**await slot(page, thursday, "11:00"))

    await expect(page.get_by_role("status")).to_contain_text(
        f"Session 2 is booked for {at(thursday, 11):%a %d %b} 11:00"
    )
    assert await course_starts(stack, course["id"]) == [at(first), at(thursday, 11)]
    await screenshot(page, "calendar-booked")


async def test_a_booking_scheduling_refuses_shows_its_reason(stack, signed_in) -> None:
    """A slot the grid allows but scheduling refuses (Sam Patel is with another patient then):
    the reason stays on the page after the grid reloads, and nothing is booked."""
    first = wednesday_in(1)
    course = await chloes_course(stack, first)
    monday = first + timedelta(days=5)
    thursday = monday + timedelta(days=3)
    busy = datetime.combine(thursday, time(10, 45), PARIS)
    await sam_patels_course(stack, AMELIA, "cellulite-calves", 8, [(busy, ROOM_1)])
    page = await signed_in(Role.RECEPTIONIST)
    await open_week(page, monday)
    await page.get_by_label("Patient").fill("Martin")
    await page.get_by_role("button", name="Find courses").click()
    await expect(page.get_by_label("Course to book")).to_have_value(course["id"])
    await expect(page.get_by_role("status")).to_contain_text("Session 2 may be booked on")

    at_half_past_ten = await slot(page, thursday, "10:30")  # 10:30 to 11:00
    async with page.expect_response(lambda answer: "/days?" in answer.url) as reloaded:
        await page.mouse.click(**at_half_past_ten)
    await reloaded.value  # the grid reloaded after the refusal, and told the course's days again
    await page.wait_for_timeout(500)  # that answer handled

    refusal = page.get_by_role("alert").filter(has_text="already has a session then")
    await expect(refusal).to_be_visible()
    assert await course_starts(stack, course["id"]) == [at(first)]
    await screenshot(page, "calendar-refused-booking")


async def test_dragging_past_the_next_interval_offers_to_shift_the_following(
    stack, signed_in
) -> None:
    first = wednesday_in(1)
    weeks = [first, first + timedelta(weeks=1), first + timedelta(weeks=2)]
    course = await chloes_course(stack, *weeks)
    second = course["sessions"][1]
    page = await signed_in(Role.RECEPTIONIST)
    await open_week(page, weeks[1] - timedelta(days=2))

    friday = weeks[1] + timedelta(days=2)
    await drag(page, second["id"], await slot(page, friday, "10:00"))
    prompt = page.get_by_role("dialog", name="Move the following sessions too?")
    await expect(prompt).to_contain_text("The next session would then be too close or too far")
    await screenshot(page, "calendar-shift-prompt")
    await prompt.get_by_role("button", name="Move the following sessions too").click()

    await expect(page.get_by_role("status")).to_contain_text("1 following session moved with it")
    assert await course_starts(stack, course["id"]) == [
        at(weeks[0]),
        at(friday),
        at(weeks[2] + timedelta(days=2)),
    ]


async def test_a_refused_drag_snaps_back_and_shows_the_reason(stack, signed_in) -> None:
    first = wednesday_in(1)
    weeks = [first, first + timedelta(weeks=1), first + timedelta(weeks=2)]
    course = await chloes_course(stack, *weeks)
    second = course["sessions"][1]
    page = await signed_in(Role.RECEPTIONIST)
    monday = weeks[1] - timedelta(days=2)
    await open_week(page, monday)

    await drag(page, second["id"], await slot(page, monday, "10:00"))  # 5 days after the first

    await expect(page.get_by_role("alert").filter(has_text="keep their interval")).to_contain_text(
        f"Choose a day between {weeks[0] + timedelta(days=7):%a %d %b}"
    )
    assert await shown_at(page, second["id"]) == f"{weeks[1].isoformat()}T10:00"
    assert await course_starts(stack, course["id"]) == [at(d) for d in weeks]
    await screenshot(page, "calendar-refused-drag")


async def test_the_pages_run_under_the_content_security_policy(stack, signed_in) -> None:
    page = await signed_in(Role.RECEPTIONIST)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)

    answer = await page.goto(f"/calendar?day={wednesday_in(1).isoformat()}")
    assert answer is not None
    assert answer.headers["content-security-policy"].startswith("default-src 'self'")
    await expect(page.locator("#calendar .ec-event").first).to_be_visible()
    await page.get_by_role("button", name="Day", exact=True).click()
    await page.goto("/")
    await expect(page.locator("#agenda")).to_be_visible()
    await page.goto("/book")

    assert refused == []


async def test_booking_and_moving_work_from_the_keyboard(stack, signed_in) -> None:
    first = wednesday_in(1)
    course = await chloes_course(stack, first)
    monday = first + timedelta(days=5)
    thursday, friday = monday + timedelta(days=3), monday + timedelta(days=4)
    page = await signed_in(Role.RECEPTIONIST)
    await open_week(page, monday)
    await page.get_by_label("Patient").fill("Martin")
    await page.get_by_label("Patient").press("Enter")
    await expect(page.get_by_label("Course to book")).to_have_value(course["id"])
    # As a receptionist would: the course's allowed days are shown before booking one of them
    # (pressing before they load raced the page's own loading on a busy machine).
    await expect(page.get_by_role("status")).to_contain_text("Session 2 may be booked on")

    await page.get_by_label("Or book at (day and time)").fill(f"{thursday}T11:00")
    await page.get_by_role("button", name="Book this time").press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("Session 2 is booked for")
    second = (await course_starts(stack, course["id"]))[1]
    assert second == at(thursday, 11)

    async with stack.api("scheduling") as api:
        sessions = (await api.get(f"/v1/courses/{course['id']}")).json()["sessions"]
    booked = next(s for s in sessions if s["sequence"] == 2)
    block = page.locator(f'[data-session-id="{booked["id"]}"]')
    await expect(page.get_by_label("New day and time")).to_be_hidden()
    await block.focus()
    await block.press("Enter")
    await expect(page.get_by_label("New day and time")).to_have_value(f"{thursday}T11:00")
    await page.get_by_label("New day and time").fill(f"{friday}T11:00")
    await page.get_by_label("New day and time").press("Enter")

    await expect(page.get_by_role("status")).to_contain_text(
        f"Session 2 moved to {friday:%a %d %b} 11:00"
    )
    assert await course_starts(stack, course["id"]) == [at(first), at(friday, 11)]
    await screenshot(page, "calendar-keyboard-move")


async def test_the_day_by_room_fits_a_phone(stack, signed_in) -> None:
    first, *_ = await stack.demo_sessions()
    day = datetime.fromisoformat(first["starts_at"]).astimezone(PARIS).date()
    page = await signed_in(Role.RECEPTIONIST)
    await page.set_viewport_size({"width": 390, "height": 844})

    await page.goto(f"/calendar?day={day.isoformat()}&view=day&by=room")

    grid = page.locator("#calendar")
    await expect(grid.get_by_text("Room 1", exact=True)).to_be_visible()
    await expect(grid.get_by_text("Room 2", exact=True)).to_be_visible()
    session = page.locator(f'[data-session-id="{first["id"]}"]')
    await expect(session).to_have_attribute("aria-label", re.compile(r"^Amelia Hart · .* · Booked"))
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page does not scroll sideways on a phone"
    await screenshot(page, "calendar-day-by-room-phone")


async def test_finding_courses_says_when_no_patient_matches_at_all(stack, signed_in) -> None:
    page = await signed_in(Role.RECEPTIONIST)
    await open_week(page, holiday_free_monday(date.today() + timedelta(days=7)))

    await page.get_by_label("Patient").fill("Nobody-Such")
    await page.get_by_role("button", name="Find courses").click()
    await expect(page.get_by_role("status")).to_have_text("No patient matches “Nobody-Such”.")

    await page.get_by_label("Patient").fill("Hart")  # Amelia Hart: her one course is fully booked
    await page.get_by_role("button", name="Find courses").click()
    await expect(page.get_by_role("status")).to_have_text("No course to book for that patient.")
