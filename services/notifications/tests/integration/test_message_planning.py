"""Scheduling's events become messages: once per key, moved and cancelled with their session."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta

from clinic_shared.contracts.events import (
    CourseRebookingDue,
    SessionBooked,
    SessionCancelled,
    SessionCompleted,
    SessionRescheduled,
)
from clinic_testing.helpers import bearer, running
from notifications.bootstrap import build_app
from notifications.settings import NotificationsSettings

from .events import STARTS, T0, Session, envelope, messages, publish


def summary(items: list[dict]) -> list[tuple[str, str, str, str]]:
    return sorted((m["kind"], m["channel"], m["status"], m["scheduled_for"]) for m in items)


async def test_a_booking_schedules_a_confirmation_and_the_reminders_once(make_settings) -> None:
    app = build_app(await make_settings(NotificationsSettings, dispatch_enabled=False))
    session = Session()
    booked = envelope(SessionBooked(**session.facts()))
    async with running(app) as client:
        await publish(app, envelope(session.contact()))
        await publish(app, booked, booked, envelope(SessionBooked(**session.facts())))
        found = await messages(client, session_id=session.session_id)
        detail = await client.get(f"/v1/messages/{found[0]['id']}", headers=bearer("admin"))
        unknown = await client.get(f"/v1/messages/{uuid.uuid4()}", headers=bearer("admin"))
    assert summary(found) == [
        ("confirmation", "email", "scheduled", "2026-06-01T09:00:00Z"),  # one per consented
        ("confirmation", "sms", "scheduled", "2026-06-01T09:00:00Z"),  # channel
        ("reminder", "email", "scheduled", "2026-06-08T08:00:00Z"),
        ("reminder", "sms", "scheduled", "2026-06-09T08:00:00Z"),
    ]
    assert detail.json()["attempts"] == []
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"


async def test_five_reschedules_in_a_row_leave_only_the_last_times_messages(make_settings) -> None:
    app = build_app(await make_settings(NotificationsSettings, dispatch_enabled=False))
    session = Session()
    times = [STARTS + timedelta(days=n) for n in range(6)]
    moves = [
        envelope(
            SessionRescheduled(**session.facts(new), previous_starts_at=old),
            T0 + timedelta(minutes=n + 1),
        )
        for n, (old, new) in enumerate(itertools.pairwise(times))
    ]
    async with running(app) as client:
        await publish(app, envelope(session.contact()))
        await publish(app, envelope(SessionBooked(**session.facts(times[0]))))
        await publish(app, *reversed(moves))  # arrival order must not matter
        found = await messages(client, session_id=session.session_id, status="scheduled")
    last = times[-1]
    assert {m["expires_at"] for m in found} == {last.isoformat().replace("+00:00", "Z")}
    assert sorted((m["kind"], m["channel"]) for m in found) == [
        ("confirmation", "email"),
        ("confirmation", "sms"),
        ("reminder", "email"),
        ("reminder", "sms"),
    ]


async def test_moving_back_to_an_earlier_time_revives_its_messages(make_settings) -> None:
    app = build_app(await make_settings(NotificationsSettings, dispatch_enabled=False))
    session = Session()
    later = STARTS + timedelta(days=2)
    async with running(app) as client:
        await publish(app, envelope(session.contact()))
        await publish(app, envelope(SessionBooked(**session.facts())))
        there = SessionRescheduled(**session.facts(later), previous_starts_at=STARTS)
        await publish(app, envelope(there, T0 + timedelta(minutes=1)))
        back = SessionRescheduled(**session.facts(STARTS), previous_starts_at=later)
        await publish(app, envelope(back, T0 + timedelta(minutes=2)))
        scheduled = await messages(client, session_id=session.session_id, status="scheduled")
        reminders = await messages(client, session_id=session.session_id, kind="reminder")
        confirmations = await messages(client, session_id=session.session_id, kind="confirmation")
    assert len(scheduled) == 4  # a confirmation and a reminder by each channel
    assert {m["expires_at"] for m in scheduled} == {"2026-06-10T08:00:00Z"}
    assert len(reminders) == 4  # one per key: two for each start time
    # a confirmation per move (per action) and channel; only the last move's are left to go
    assert sorted(m["status"] for m in confirmations) == ["cancelled"] * 4 + ["scheduled"] * 2


async def test_a_cancelled_session_cancels_its_pending_messages(make_settings) -> None:
    app = build_app(await make_settings(NotificationsSettings, dispatch_enabled=False))
    session = Session()
    async with running(app) as client:
        await publish(app, envelope(session.contact()))
        await publish(app, envelope(SessionBooked(**session.facts())))
        cancelled = SessionCancelled(**session.facts(), reason="ill")
        await publish(app, envelope(cancelled, T0 + timedelta(hours=1)))
        late_booking = envelope(SessionBooked(**session.facts()), T0 - timedelta(minutes=1))
        await publish(app, late_booking)  # an older event arriving last changes nothing
        found = await messages(client, session_id=session.session_id)
    assert {m["status"] for m in found} == {"cancelled"}


async def test_stop_then_booking_sends_no_sms_but_the_email(make_settings) -> None:
    app = build_app(await make_settings(NotificationsSettings, dispatch_enabled=False))
    session = Session()
    async with running(app) as client:
        await publish(app, envelope(session.contact(consent_sms=False)))
        await publish(app, envelope(SessionBooked(**session.facts())))
        found = await messages(client, patient_id=session.patient_id)
    assert {(m["kind"], m["channel"]) for m in found} == {
        ("confirmation", "email"),
        ("reminder", "email"),
    }


async def test_completion_schedules_aftercare_and_a_due_rebooking_a_nudge(make_settings) -> None:
    app = build_app(await make_settings(NotificationsSettings, dispatch_enabled=False))
    session = Session()
    due = CourseRebookingDue(
        course_id=session.course_id,
        patient_id=session.patient_id,
        practitioner_id=uuid.uuid4(),
        treatment_code="cellulite-thighs",
        sessions_planned=10,
        next_sequence=4,
        window_opens_on=date(2026, 6, 17),
        window_closes_on=date(2026, 6, 25),
    )
    completed_at = STARTS + timedelta(minutes=30)
    async with running(app) as client:
        await publish(app, envelope(session.contact()))
        await publish(app, envelope(SessionBooked(**session.facts())))
        await publish(app, envelope(SessionCompleted(**session.facts()), completed_at))
        await publish(app, envelope(due, completed_at), envelope(due, completed_at))
        aftercare = await messages(client, kind="aftercare")
        nudges = await messages(client, kind="nudge")
        reminders = await messages(client, kind="reminder", status="scheduled")
    assert [(m["status"], m["scheduled_for"]) for m in aftercare] == [
        ("scheduled", "2026-06-10T10:30:00Z")
    ]
    assert [(m["session_id"], m["course_id"]) for m in nudges] == [(None, str(session.course_id))]
    assert reminders == []
