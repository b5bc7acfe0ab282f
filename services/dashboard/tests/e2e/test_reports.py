"""A receptionist filters a report by period and practitioner and exports it, in Chromium."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from playwright.async_api import expect

from clinic_shared.auth import Role

from .conftest import E2EStack, screenshot
from .test_agenda import POLL


async def test_a_report_filtered_and_exported(stack: E2EStack, signed_in) -> None:
    async with stack.api("scheduling", Role.ADMIN) as scheduling:
        first, other = (await scheduling.get("/v1/practitioners")).json()[:2]
    period = {
        "from": (date.today() - timedelta(days=30)).isoformat(),
        "to": (date.today() + timedelta(days=60)).isoformat(),
    }

    desk = await signed_in(Role.RECEPTIONIST)
    await desk.get_by_role("link", name="Reports").click()
    await desk.get_by_role("link", name="No-shows and cancellations").click()
    await desk.get_by_label("From").fill(period["from"])
    await desk.get_by_label("To", exact=True).fill(period["to"])
    await desk.get_by_label("Practitioner").select_option(label=first["name"])
    await desk.get_by_role("button", name="Show").click()

    table = desk.get_by_role("table", name="No-shows and cancellations")
    await expect(table.locator("tbody tr")).to_have_count(1, timeout=POLL)
    await expect(table).to_contain_text(first["name"])
    await expect(table).not_to_contain_text(other["name"])
    await expect(desk.get_by_role("img", name="Rates per practitioner")).to_be_visible()
    await screenshot(desk, "reports-attendance")

    async with desk.expect_download() as download_info:
        await desk.get_by_role("link", name="Export as CSV").click()
    download = await download_info.value
    path = await download.path()
    header, *rows = list(csv.reader(io.StringIO(path.read_text())))

    assert download.suggested_filename == f"attendance-{period['from']}-{period['to']}.csv"
    assert header == [
        "Practitioner",
        "Sessions",
        "Completed",
        "No-shows",
        "Cancelled",
        "No-show rate",
        "Cancellation rate",
    ]
    assert [r[0] for r in rows] == [first["name"]]
