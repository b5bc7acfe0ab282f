"""Time off in the browser: recorded over a booked session, which is then moved from the list
of sessions it touches, in the agenda's reschedule panel (issue 23)."""

from __future__ import annotations

from playwright.async_api import expect

from clinic_shared.auth import Role

from .conftest import screenshot
from .test_agenda import starts


async def test_time_off_over_a_session_is_recorded_and_the_session_moved(stack, signed_in) -> None:
    first, *_ = await stack.demo_sessions()
    day = starts(first).strftime("%Y-%m-%d")
    page = await signed_in(Role.ADMIN)
    await page.goto("/settings/closures")

    away = page.locator("form[action='/settings/time-off']")
    await away.get_by_label("Practitioner").select_option(label="Dr Claire Dubois")
    await away.get_by_label("Away from").fill(f"{day}T09:00")
    await away.get_by_label("Until").fill(f"{day}T12:00")
    await away.get_by_label("Reason (optional)").fill("Dentist")
    await away.get_by_role("button", name="Add the time off").click()
    await expect(page.locator("#e-away_force")).to_contain_text("1 booked session falls inside")
    await expect(page.locator("#f-away_reason")).to_have_value("Dentist")

    await away.get_by_label("Record it anyway").check()
    await away.get_by_role("button", name="Add the time off").click()
    await expect(page.get_by_role("status")).to_have_text("The time off is recorded.")
    touched = page.locator(f"#touched-{first['id']}")
    await expect(touched).to_contain_text("Amelia Hart")
    await screenshot(page, "settings-time-off")

    await touched.get_by_role("button", name="Reschedule").click()
    await page.get_by_label("New day and time").fill(f"{day}T14:00")
    await page.get_by_role("button", name="Move the session").click()

    await expect(page.get_by_role("status").last).to_have_text("The session is moved.")
    await expect(page.locator("#touched")).to_contain_text("No booked session falls under")
    moved = await stack.session(first["id"])
    assert starts(moved).strftime("%Y-%m-%dT%H:%M") == f"{day}T14:00"
