"""Calendar feeds in the browser, on a phone: an admin copies a practitioner's feed URL, and
makes a new one only after saying yes to the question that the old one stops working."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.async_api import Dialog, expect

from clinic_shared.auth import Role

from .conftest import screenshot
from .test_small_screens import PHONE, fits_the_screen

DR_DUBOIS = "00000000-0000-4000-8000-0000000000a1"


async def test_an_admin_copies_a_feed_url_and_makes_a_new_one_on_a_phone(stack, signed_in) -> None:
    page = await signed_in(Role.ADMIN)
    await page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    await page.set_viewport_size(PHONE)
    await page.goto("/settings/feeds")
    field = page.get_by_label("Feed URL of Dr Claire Dubois", exact=True)
    old = await field.input_value()
    await fits_the_screen(page)
    await screenshot(page, "settings-feeds-phone")

    await page.get_by_role("button", name="Copy the feed URL of Dr Claire Dubois").click()
    await expect(page.locator(f'[data-copy-status="feed-{DR_DUBOIS}-url"]')).to_have_text("Copied.")
    assert await page.evaluate("navigator.clipboard.readText()") == old

    questions: list[str] = []

    async def answer(dialog: Dialog, accept: bool) -> None:
        questions.append(dialog.message)
        await (dialog.accept() if accept else dialog.dismiss())

    new_url = page.get_by_role("button", name="New URL for Dr Claire Dubois")
    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    await new_url.click()
    await expect(field).to_have_value(old)
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    await new_url.click()
    await expect(page.get_by_role("status").first).to_contain_text(
        "Dr Claire Dubois has a new feed URL"
    )
    await expect(field).not_to_have_value(old)
    await fits_the_screen(page)

    assert questions[0].startswith("Make a new feed URL for Dr Claire Dubois?")
    assert "stops working at once" in questions[0]
    async with stack.api("scheduling") as scheduling:
        gone = await scheduling.get(urlsplit(old).path)
        served = await scheduling.get(urlsplit(await field.input_value()).path)
    assert gone.status_code == 404
    assert served.headers["content-type"].startswith("text/calendar")
