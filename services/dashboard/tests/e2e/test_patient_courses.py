"""A receptionist repairs a course from the patient's page, then abandons it, in the browser."""

from __future__ import annotations

from playwright.async_api import Dialog, expect

from clinic_shared.auth import Role

from .conftest import E2EStack, screenshot
from .test_journey import book_a_ten_session_course


async def cancel_sessions(stack: E2EStack, patient_id: str, *sequences: int) -> None:
    async with stack.api("scheduling", Role.RECEPTIONIST) as api:
        [course] = (await api.get("/v1/courses", params={"patient_id": patient_id})).json()
        for session in [s for s in course["sessions"] if s["sequence"] in sequences]:
            cancelled = await api.post(f"/v1/sessions/{session['id']}/cancel", json={})
            assert cancelled.status_code == 200, cancelled.text


async def test_a_receptionist_books_the_missing_sessions_from_the_patient_page(
    stack, signed_in
) -> None:
    desk = await signed_in(Role.RECEPTIONIST)
    refused: list[str] = []
    desk.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    patient_id = await book_a_ten_session_course(desk)
    await cancel_sessions(stack, patient_id, 3, 4)
    await desk.goto(f"/patients/{patient_id}")

    await desk.get_by_role("button", name="Cancel session 5").click()
    panel = desk.locator("#action-panel")
    await expect(panel.get_by_role("heading")).to_contain_text("Cancel: session 5")
    await panel.get_by_role("button", name="Close").click()  # no inline script: CSP allows it
    await expect(panel).to_be_empty()

    await desk.get_by_role("link", name="Book the 2 missing sessions").click()
    await expect(desk.get_by_role("heading", name="Book the missing sessions")).to_be_visible()
    await expect(desk.locator('input[name="starts_at"]')).to_have_count(2)
    await screenshot(desk, "patient-course-repair")
    await desk.get_by_role("button", name="Book the 2 missing sessions").click()

    await expect(desk.get_by_role("status").first).to_have_text("2 sessions booked.")
    await expect(desk.get_by_text("10 of 10 sessions booked or done.")).to_be_visible()
    await expect(desk.get_by_role("heading", name="Timeline")).to_be_visible()
    await screenshot(desk, "patient-course-repaired")

    asked: list[str] = []

    async def confirm(dialog: Dialog) -> None:
        asked.append(dialog.message)
        await dialog.accept()

    desk.on("dialog", confirm)
    await desk.get_by_role("button", name="Abandon the course").click()
    await expect(desk.get_by_role("status").first).to_have_text(
        "The course is abandoned: its upcoming sessions are cancelled."
    )
    assert asked == [
        "Abandon this course? Its 10 upcoming sessions are cancelled, and the patient told once."
    ]
    assert refused == []
