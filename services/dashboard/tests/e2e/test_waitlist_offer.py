"""A waitlist offer on a phone (390 by 844 pixels): the page a patient opens from the offer's
message has no serious axe violation, and taking the time books it."""

from __future__ import annotations

import uuid

from playwright.async_api import Browser

from clinic_shared.auth import Role
from clinic_shared.patient_links import mint_offer_link

from .conftest import E2EStack, screenshot
from .test_accessibility import serious_violations

PHONE = {"width": 390, "height": 844}


async def _offer(stack: E2EStack) -> str:
    """A new patient's course waiting with the demo's practitioner; the demo's second session
    cancelled: its time offered to them. The offer's id."""
    freed = (await stack.demo_sessions())[1]
    async with stack.api("scheduling", Role.RECEPTIONIST) as api:
        patient = await api.post(
            "/v1/patients",
            json={
                "first_name": "Inès",
                "last_name": "Waits",
                "email": "ines@example.com",
                "preferred_channel": "email",
            },
        )
        course = await api.post(
            "/v1/courses",
            json={
                "patient_id": patient.json()["id"],
                "treatment_code": "cellulite-arms",
                "practitioner_id": freed["practitioner_id"],
            },
        )
        joined = await api.post("/v1/waitlist", json={"course_id": course.json()["id"]})
        assert joined.status_code == 201, joined.text
        cancelled = await api.post(f"/v1/sessions/{freed['id']}/cancel", json={})
        assert cancelled.status_code == 200, cancelled.text
        [waiting] = (await api.get("/v1/waitlist")).json()
    return str(waiting["offers"][0]["id"])


async def test_a_patient_takes_an_offered_time_on_a_phone(
    stack: E2EStack, browser: Browser
) -> None:
    offer = await _offer(stack)
    key = stack.apps["dashboard"].state.settings.patient_link_key.get_secret_value()
    context = await browser.new_context(base_url=stack.dashboard_url, viewport=PHONE)
    page = await context.new_page()

    await page.goto(f"/p/{mint_offer_link(key, uuid.UUID(offer))}")
    ours, library = await serious_violations(page)
    width = await page.evaluate("document.documentElement.scrollWidth")
    await page.get_by_role("button", name="Take this time").click()
    await page.wait_for_load_state("networkidle")
    await screenshot(page, "waitlist-offer-taken")

    assert ours == []
    assert library == set()
    assert width <= PHONE["width"], "the page does not scroll sideways on a phone"
    assert "Done: the time is yours" in await page.content()
    await context.close()
