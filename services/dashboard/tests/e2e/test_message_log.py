"""A receptionist finds a failed message in the log across patients and sends it again, in
Chromium."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from playwright.async_api import expect

from clinic_shared.auth import Role
from clinic_testing.helpers import eventually
from notifications.adapters.orm import messages

from .conftest import E2EStack, screenshot
from .test_agenda import POLL


async def any_message(stack: E2EStack) -> list[dict]:
    async with stack.api("notifications") as api:
        return list(
            (await api.get("/v1/messages", params={"limit": 1, "newest_first": "true"})).json()
        )


async def test_a_failed_message_is_found_and_sent_again_from_the_log(
    stack: E2EStack, signed_in
) -> None:
    [message] = await eventually(lambda: any_message(stack))
    ago = datetime.now(UTC) - timedelta(hours=1)  # due and refused: the log opens on it
    async with stack.apps["notifications"].state.runtime.db.session() as session:
        await session.execute(
            sa.update(messages)
            .where(messages.c.id == message["id"])
            .values(status="failed", last_error="number not in service", scheduled_for=ago)
        )
        await session.commit()

    desk = await signed_in(Role.RECEPTIONIST)
    await desk.get_by_role("link", name="Messages").click()
    await desk.get_by_label("Status").select_option(label="Failed")
    await desk.get_by_role("button", name="Show").click()
    row = desk.locator(f"#message-{message['id']}")
    await expect(row).to_contain_text("number not in service", timeout=POLL)
    await screenshot(desk, "message-log")
    await row.get_by_role("button", name="Send again").click()

    await expect(desk.get_by_role("status")).to_have_text("The message is queued to go again.")
    await expect(desk.locator(f"#message-{message['id']}")).to_have_count(0)
    await expect(desk.get_by_label("Status")).to_have_value("failed")
