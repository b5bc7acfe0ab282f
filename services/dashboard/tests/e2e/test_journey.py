"""The whole journey: the desk books a course, the practitioner completes a session, stock drops."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from playwright.async_api import Page, expect

from clinic_shared.auth import Role

from .conftest import E2EStack, screenshot
from .test_agenda import POLL, starts


async def book_a_ten_session_course(desk: Page) -> str:
    """Register a patient and book ten sessions through the pages; the patient's id."""
    await desk.get_by_role("link", name="Book").click()
    await desk.get_by_label("First name").fill("Nora")
    await desk.get_by_label("Last name").fill("Quinn")
    await desk.get_by_label("Mobile phone").fill("+44 7911 123456")
    await desk.get_by_label("SMS reminders").check()
    await screenshot(desk, "book-register")
    await desk.get_by_role("button", name="Register the patient").click()

    await desk.get_by_label("Treatment", exact=True).select_option("cellulite-thighs")
    await desk.get_by_label("Sessions in the course").fill("10")
    await desk.get_by_role("button", name="Propose dates").click()
    await expect(desk.locator('input[name="starts_at"]')).to_have_count(10)
    await screenshot(desk, "book-proposed-dates")
    await desk.get_by_role("button", name="Book all 10 sessions").click()

    await expect(desk.get_by_role("status")).to_have_text("10 sessions booked.")
    return desk.url.split("/patients/", 1)[1].split("?", 1)[0]


async def first_session(stack: E2EStack, patient_id: str) -> dict[str, Any]:
    async with stack.api("scheduling") as api:
        [course] = (await api.get("/v1/courses", params={"patient_id": patient_id})).json()
    return dict(min(course["sessions"], key=lambda s: int(s["sequence"])))


async def test_a_course_booked_at_the_desk_is_reminded_completed_and_drawn_from_stock(
    stack, signed_in
) -> None:
    desk = await signed_in(Role.RECEPTIONIST)
    patient_id = await book_a_ten_session_course(desk)
    reminders = desk.locator("tr.message-scheduled", has_text="Reminder")
    await expect(reminders.first).to_be_visible(timeout=POLL)
    await expect(desk.locator("ol.timeline li.status-booked")).to_have_count(10)
    await screenshot(desk, "patient")

    keeper = await signed_in(Role.STOCK_MANAGER)
    await keeper.get_by_role("link", name="Stock").click()
    on_hand = keeper.locator("#product-caffeine .on-hand")
    await expect(on_hand).to_have_text(re.compile(r"^\d+$"))
    before = int(await on_hand.inner_text())
    await screenshot(keeper, "stock")

    session = await first_session(stack, patient_id)
    stack.travel_to("scheduling", starts(session) + timedelta(hours=1))
    stack.travel_to("dashboard", starts(session) + timedelta(hours=1))  # buttons show once started
    doctor = await signed_in(Role.PRACTITIONER)
    await doctor.goto(f"/?day={starts(session).date().isoformat()}")
    row = doctor.locator(f"#session-{session['id']}")
    await expect(row).to_contain_text("Nora Quinn")
    await row.get_by_role("button", name="Complete").click()
    await expect(doctor.locator("#f-lot_caffeine option:checked")).to_contain_text(
        "reserved for this session"
    )
    await doctor.get_by_role("button", name="Complete the session").click()
    await expect(row).to_contain_text("Completed")

    await expect(on_hand).not_to_have_text(str(before), timeout=POLL)  # the keeper's page, polled
    assert int(await on_hand.inner_text()) < before
    await keeper.get_by_role("link", name="Alerts").click()
    # messages are about patients: the desk chases failed ones, the keeper sees none (issue 28)
    await expect(keeper.get_by_role("heading", name="Alerts sent to staff")).to_be_visible()
    await expect(keeper.get_by_role("heading", name="Messages that failed")).to_have_count(0)
    await screenshot(keeper, "alerts")
    await desk.get_by_role("link", name="Alerts").click()
    await expect(desk.get_by_role("heading", name="Messages that failed")).to_be_visible()
