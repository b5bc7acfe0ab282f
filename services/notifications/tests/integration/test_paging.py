"""Messages and staff alerts come in pages no larger than the cap, in a stable order."""

from __future__ import annotations

from datetime import timedelta

from clinic_shared.contracts.events import SessionBooked
from clinic_shared.paging import MAX_LIMIT
from clinic_testing.helpers import bearer, running
from notifications.bootstrap import build_app
from notifications.settings import NotificationsSettings

from .events import STARTS, T0, Session, envelope, messages, publish

DESK = bearer("receptionist")


async def test_messages_come_page_after_page_in_sending_order(make_settings) -> None:
    app = build_app(await make_settings(NotificationsSettings, dispatch_enabled=False))
    session = Session()
    async with running(app) as client:
        await publish(app, envelope(session.contact(), T0))
        for week in range(3):
            booked = Session(patient_id=session.patient_id, course_id=session.course_id)
            starts = STARTS + timedelta(weeks=week)
            await publish(app, envelope(SessionBooked(**booked.facts(starts)), T0))
        everything = [m["id"] for m in await messages(client)]
        pages = [
            [m["id"] for m in await messages(client, limit=4, offset=offset)]
            for offset in range(0, len(everything) + 4, 4)
        ]

    assert len(everything) >= 6  # a confirmation and reminders for each of the three sessions
    assert [row for page in pages for row in page] == everything
    assert all(len(page) == 4 for page in pages[:-2])
    assert pages[-1] == []


async def test_a_page_larger_than_the_cap_is_a_422_naming_limit(make_settings) -> None:
    app = build_app(await make_settings(NotificationsSettings, dispatch_enabled=False))
    async with running(app) as client:
        for path in ("/v1/messages", "/v1/staff-alerts"):
            too_big = await client.get(path, params={"limit": MAX_LIMIT + 1}, headers=DESK)
            none = await client.get(path, params={"limit": 0}, headers=DESK)

            assert too_big.status_code == 422
            assert too_big.headers["content-type"] == "application/problem+json"
            assert [e["field"] for e in too_big.json()["errors"]] == ["query.limit"]
            assert [e["field"] for e in none.json()["errors"]] == ["query.limit"]
