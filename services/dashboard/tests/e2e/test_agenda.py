"""The agenda in the browser: statuses, no-show, cancel, complete with a lot, reschedule."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from playwright.async_api import Page, expect

from clinic_shared.auth import Role
from clinic_testing.helpers import eventually

from .conftest import screenshot

PARIS = ZoneInfo("Europe/Paris")
POLL = 15_000  # ms: a few polling rounds on a busy machine


def starts(session: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(session["starts_at"]).astimezone(PARIS)


def day_of(session: dict[str, Any]) -> date:
    return starts(session).date()


async def open_day(page: Page, session: dict[str, Any], query: str = "") -> None:
    await page.goto(f"/?day={day_of(session).isoformat()}{query}")
    await expect(page.locator(f"#session-{session['id']}")).to_contain_text("Amelia Hart")


async def test_a_booked_session_changes_status_after_a_no_show_and_a_cancel(
    stack, signed_in
) -> None:
    first, second, *_ = await stack.demo_sessions()
    stack.travel_to("scheduling", starts(first) + timedelta(hours=1))
    stack.travel_to("dashboard", starts(first) + timedelta(hours=1))  # buttons show once started
    desk = await signed_in(Role.RECEPTIONIST)
    await open_day(desk, first)
    watched = desk.locator(f"#session-{first['id']}")
    await expect(watched).to_contain_text("Booked")
    await screenshot(desk, "agenda-day")

    doctor = await signed_in(Role.PRACTITIONER)
    await open_day(doctor, first)
    await doctor.locator(f"#session-{first['id']}").get_by_role("button", name="No-show").click()
    await doctor.get_by_role("button", name="Mark as no-show").click()
    await expect(doctor.get_by_role("status")).to_have_text("The session is marked as a no-show.")

    await expect(watched).to_contain_text("No-show", timeout=POLL)  # the desk's page, polled
    await open_day(desk, second, "&week=true&by=room")
    row = desk.locator(f"#session-{second['id']}")
    await row.get_by_role("button", name="Cancel", exact=True).click()
    await desk.get_by_label("Reason (optional)").fill("Patient is unwell")
    await desk.get_by_role("button", name="Cancel the session").click()
    await expect(row).to_contain_text("Cancelled")
    await screenshot(desk, "agenda-week-by-room")


async def test_completing_a_session_records_the_lot_chosen(stack, signed_in) -> None:
    first, *_ = await stack.demo_sessions()
    stack.travel_to("scheduling", starts(first) + timedelta(hours=1))
    stack.travel_to("dashboard", starts(first) + timedelta(hours=1))  # buttons show once started
    page = await signed_in(Role.PRACTITIONER)
    await open_day(page, first)
    row = page.locator(f"#session-{first['id']}")

    await row.get_by_role("button", name="Complete").click()
    caffeine = page.locator("#f-lot_caffeine")
    await expect(caffeine.locator("option:checked")).to_contain_text("reserved for this session")
    await caffeine.select_option("CAF-2417")  # not the lot inventory reserved
    await screenshot(page, "agenda-complete")
    await page.get_by_role("button", name="Complete the session").click()

    await expect(row).to_contain_text("Completed")
    async with stack.api("inventory") as inventory:

        async def consumed() -> list[dict[str, Any]]:
            found = await inventory.get("/v1/traceability", params={"lot_number": "CAF-2417"})
            return list(found.json()["consumptions"])

        uses = await eventually(consumed, timeout=20)
    assert [(u["session_id"], u["quantity"]) for u in uses] == [(first["id"], 2)]


async def test_a_move_that_breaks_the_next_interval_offers_to_shift_the_following(
    stack, signed_in
) -> None:
    _, second, third, *_ = await stack.demo_sessions()
    page = await signed_in(Role.RECEPTIONIST)
    await open_day(page, second)
    await page.locator(f"#session-{second['id']}").get_by_role("button", name="Reschedule").click()
    await expect(page.locator("#allowed-window")).to_contain_text("when the following sessions")

    # The third session's day, before it: too close to it unless it moves too.
    target = starts(third).replace(hour=9, minute=0)
    await page.get_by_label("New day and time").fill(target.strftime("%Y-%m-%dT%H:%M"))
    await page.get_by_role("button", name="Move the session").click()
    await expect(page.locator("#e-shift_following")).to_contain_text("Tick “Also move")
    await screenshot(page, "agenda-reschedule")

    await page.get_by_label("Also move the following sessions by as many days").check()
    await page.get_by_role("button", name="Move the session").click()

    await expect(page.get_by_role("status")).to_contain_text("following sessions moved with it")
    shift = day_of(third) - day_of(second)
    assert starts(await stack.session(second["id"])) == target
    assert starts(await stack.session(third["id"])) == starts(third) + shift


async def test_a_service_that_is_down_shows_a_banner(stack, signed_in) -> None:
    first, *_ = await stack.demo_sessions()
    page = await signed_in(Role.RECEPTIONIST)
    await open_day(page, first)

    await stack.servers["scheduling"].stop()

    banner = page.locator("#banner")
    await expect(banner).to_contain_text("The appointments service is not answering", timeout=POLL)
    await page.reload()
    await expect(banner).to_contain_text("The appointments service is not answering", timeout=POLL)
    await expect(page.locator("body")).not_to_contain_text("Traceback")
    await screenshot(page, "service-down")


async def test_a_session_left_short_by_a_recall_is_marked_at_risk_within_seconds(
    stack, signed_in
) -> None:
    first, *_ = await stack.demo_sessions()
    page = await signed_in(Role.RECEPTIONIST)
    await open_day(page, first)
    stock = page.locator(f"#session-{first['id']} td[data-label=Stock]")
    await expect(stock).to_have_text("Reserved")

    async with stack.api("inventory", Role.STOCK_MANAGER) as inventory:
        lots = await inventory.get("/v1/lots", params={"product_code": "l-carnitine"})
        (only_lot,) = lots.json()
        recalled = await inventory.post(f"/v1/lots/{only_lot['id']}/recall")
        assert first["id"] in recalled.json()["sessions_now_short"]

    await expect(stock).to_have_text("⚠ Stock at risk", timeout=POLL)
    await screenshot(page, "agenda-stock-at-risk")
