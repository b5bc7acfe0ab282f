"""One confirmation per action and consented channel, whatever the batches and copies."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi import FastAPI

from clinic_shared.contracts.events import (
    Action,
    SessionBooked,
    SessionCancelled,
    SessionRescheduled,
)
from clinic_testing.helpers import running
from notifications.adapters import orm

from .dispatching import Recorder, dispatcher, driven_app
from .events import STARTS, T0, Session, envelope, messages, publish

WEEK = timedelta(days=7)
HOLD = timedelta(minutes=5)


def course(count: int) -> list[Session]:
    """The sessions of one patient's course."""
    first = Session()
    return [first] + [
        Session(patient_id=first.patient_id, course_id=first.course_id) for _ in range(count - 1)
    ]


def booked(sessions: list[Session], action: Action) -> list:
    return [
        envelope(SessionBooked(**s.facts(STARTS + n * WEEK, sequence=n + 1, action=action)))
        for n, s in enumerate(sessions)
    ]


async def listed(app: FastAPI) -> list[int]:
    """How many sessions each confirmation lists."""
    async with app.state.runtime.db.session() as session:
        rows = await session.execute(
            sa.select(orm.messages.c.context).where(orm.messages.c.kind == "confirmation")
        )
        return [len(context["sessions"]) for context in rows.scalars()]


def texts(recorder: Recorder) -> dict[str, str]:
    return {o.channel: f"{o.subject or ''}\n{o.text}" for o in recorder.sent}


async def test_a_course_booked_in_parts_and_copies_gets_one_confirmation_per_channel(
    make_settings,
) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    sessions = course(10)
    events = booked(sessions, Action(id=uuid.uuid4(), at=T0, sessions=10))
    async with running(app) as client:
        await publish(app, envelope(sessions[0].contact()))
        await publish(app, *events[:4])
        held = await messages(client, kind="confirmation")
        held_lists = await listed(app)
        for copy in events[2:4]:  # delivered again: at least once (the inbox drops them)
            await app.state.runtime.message_bus.publish(copy)
        await publish(app, *events[4:])
        whole = await messages(client, kind="confirmation")
        sender = dispatcher(app, recorder)
        sent = await sender.dispatch_once(now=T0 + timedelta(minutes=1))
        replayed = SessionBooked.model_validate(events[7].data)
        await publish(app, envelope(replayed))  # the same event in a new envelope
        again = await sender.dispatch_once(now=T0 + HOLD * 2)
        reminders = await messages(client, kind="reminder", status="scheduled")
    assert sorted((m["channel"], m["scheduled_for"]) for m in held) == [
        ("email", "2026-06-01T09:05:00Z"),  # not all here yet: it waits for the rest
        ("sms", "2026-06-01T09:05:00Z"),
    ]
    assert held_lists == [4, 4]
    assert {(m["status"], m["scheduled_for"], m["session_id"]) for m in whole} == {
        ("scheduled", "2026-06-01T09:00:00Z", str(sessions[0].session_id))
    }
    assert (sent, again, len(recorder.sent)) == (2, 0, 2)
    assert (
        "10 sessions booked, 10 Jun to 12 Aug. Next: session 1 of 10, Wednesday 10 June"
        in (texts(recorder)["sms"])
    )
    email = texts(recorder)["email"]
    assert email.startswith("Your 10 sessions booked, 10 Jun to 12 Aug")
    assert [line for line in email.splitlines() if line.startswith("Session ")] == [
        f"Session {n} of 10: Wednesday {day} at 10:00"
        for n, day in enumerate(
            ("10 June", "17 June", "24 June", "1 July", "8 July", "15 July", "22 July",
             "29 July", "5 August", "12 August"),
            start=1,
        )
    ]  # fmt: skip
    assert len(reminders) == 20  # every session still gets its own reminders


async def test_the_rest_of_a_course_arriving_after_its_confirmation_went_sends_no_second(
    make_settings,
) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    sessions = course(3)
    events = booked(sessions, Action(id=uuid.uuid4(), at=T0, sessions=3))
    async with running(app) as client:
        await publish(app, envelope(sessions[0].contact(consent_email=False)))
        await publish(app, *events[:2])
        sender = dispatcher(app, recorder)
        early = await sender.dispatch_once(now=T0 + HOLD - timedelta(seconds=1))
        held_out = await sender.dispatch_once(now=T0 + HOLD)
        await publish(app, events[2])  # the rest of the batch, late
        late = await sender.dispatch_once(now=T0 + HOLD * 3)
        confirmations = await messages(client, kind="confirmation")
        lists = await listed(app)
    assert (early, held_out, late) == (0, 1, 0)
    assert [m["status"] for m in confirmations] == ["sent"]
    assert lists == [2]
    assert "2 sessions booked" in recorder.sent[0].text


async def test_moving_sessions_with_the_ones_after_sends_one_confirmation_after_a_hold(
    make_settings,
) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    sessions = course(3)
    moved_at = T0 + timedelta(hours=1)
    move = Action(id=uuid.uuid4(), at=moved_at, sessions=2)
    moves = [
        envelope(
            SessionRescheduled(
                **s.facts(STARTS + n * WEEK + timedelta(days=2), sequence=n + 1, action=move),
                previous_starts_at=STARTS + n * WEEK,
            ),
            moved_at,
        )
        for n, s in enumerate(sessions)
        if n > 0
    ]
    async with running(app) as client:
        await publish(app, envelope(sessions[0].contact(consent_email=False)))
        await publish(app, *booked(sessions, Action(id=uuid.uuid4(), at=T0, sessions=3)))
        sender = dispatcher(app, recorder)
        await sender.dispatch_once(now=T0)
        await publish(app, *moves)
        settling = await sender.dispatch_once(now=moved_at + HOLD - timedelta(seconds=1))
        settled = await sender.dispatch_once(now=moved_at + HOLD)
        confirmations = await messages(client, kind="confirmation", status="sent")
    assert (settling, settled) == (0, 1)
    assert len(confirmations) == 2  # the booking's, then the move's
    assert "2 sessions moved, 19 Jun to 26 Jun. Next: session 2 of 10" in recorder.sent[1].text


async def test_a_cancelled_session_drops_out_of_a_confirmation_not_sent_and_is_not_notified(
    make_settings,
) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    sessions = course(3)
    events = booked(sessions, Action(id=uuid.uuid4(), at=T0, sessions=4))  # one still to come
    cancelled = SessionCancelled(**sessions[1].facts(STARTS + WEEK, sequence=2), reason="mistake")
    async with running(app) as client:
        await publish(app, envelope(sessions[0].contact(consent_email=False)))
        await publish(app, *events)
        await publish(app, envelope(cancelled, T0 + timedelta(minutes=1)))
        await dispatcher(app, recorder).dispatch_once(now=T0 + HOLD)
        notices = await messages(client, kind="cancellation")
    assert len(recorder.sent) == 1
    assert "2 sessions booked, 10 Jun to 24 Jun" in recorder.sent[0].text
    assert notices == []  # they never heard of it


async def test_a_cancelled_session_the_patient_was_told_of_is_notified_by_each_channel(
    make_settings,
) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    session = Session()
    action = Action(id=uuid.uuid4(), at=T0, sessions=1)
    cancel = Action(id=uuid.uuid4(), at=T0 + timedelta(days=1), sessions=1)
    cancelled = SessionCancelled(**session.facts(action=cancel), reason="Dr Dubois off sick")
    async with running(app) as client:
        await publish(app, envelope(session.contact()))
        await publish(app, envelope(SessionBooked(**session.facts(action=action))))
        sender = dispatcher(app, recorder)
        await sender.dispatch_once(now=T0)
        await publish(app, envelope(cancelled, T0 + timedelta(days=1)))
        notified = await sender.dispatch_once(now=T0 + timedelta(days=1))
        notices = await messages(client, kind="cancellation")
        pending = await messages(client, session_id=session.session_id, status="scheduled")
    assert notified == 2
    assert sorted((m["channel"], m["status"], m["expires_at"]) for m in notices) == [
        ("email", "sent", "2026-06-10T08:00:00Z"),
        ("sms", "sent", "2026-06-10T08:00:00Z"),
    ]
    sms = [o for o in recorder.sent if o.channel == "sms"][-1]
    assert "session 3 of 10 on Wednesday 10 June at 10:00 will not take place" in sms.text
    assert "sick" not in sms.text  # the clinic's reason stays the clinic's
    assert pending == []  # the reminders went with it


async def test_a_booking_at_night_is_confirmed_in_the_morning_unless_the_session_comes_first(
    make_settings,
) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    night = datetime(2026, 6, 9, 21, 0, tzinfo=UTC)  # 23:00 in Paris
    early = datetime(2026, 6, 10, 5, 30, tzinfo=UTC)  # 07:30, before quiet hours end
    later, first = Session(), Session()
    async with running(app) as client:
        for session, starts in ((later, STARTS), (first, early)):
            action = Action(id=uuid.uuid4(), at=night, sessions=1)
            await publish(app, envelope(session.contact(), night))
            await publish(
                app, envelope(SessionBooked(**session.facts(starts, action=action)), night)
            )
        morning = await messages(client, patient_id=later.patient_id, kind="confirmation")
        dropped = await messages(client, patient_id=first.patient_id)
    assert {m["scheduled_for"] for m in morning} == {"2026-06-10T06:00:00Z"}  # 08:00 in Paris
    assert len(morning) == 2
    assert dropped == []


async def test_a_confirmation_replanned_keeps_its_channels_and_goes_when_nothing_is_left(
    make_settings,
) -> None:
    """The cancel of `ConfirmationRepository` (`channel <> ALL(keep)`): re-planned, the channels
    kept stay; keeping none (every session cancelled) withdraws every one."""
    app = await driven_app(make_settings, Recorder())
    sessions = course(3)
    events = booked(sessions, Action(id=uuid.uuid4(), at=T0, sessions=3))
    later = T0 + timedelta(minutes=3)
    cancels = [
        envelope(
            SessionCancelled(**s.facts(STARTS + n * WEEK, sequence=n + 1), reason="ill"), later
        )
        for n, s in enumerate(sessions)
    ]
    async with running(app) as client:
        await publish(app, envelope(sessions[0].contact()))
        await publish(app, *events[:2])  # held: the action is not all here
        await publish(app, events[2])  # re-planned whole
        kept = await messages(client, kind="confirmation", status="scheduled")
        await publish(app, *cancels)
        left = await messages(client, kind="confirmation", status="scheduled")
        withdrawn = await messages(client, kind="confirmation", status="cancelled")
    assert sorted((m["channel"], m["last_error"]) for m in kept) == [
        ("email", None),
        ("sms", None),
    ]
    assert left == []
    assert sorted((m["channel"], m["last_error"]) for m in withdrawn) == [
        ("email", "nothing left to confirm"),
        ("sms", "nothing left to confirm"),
    ]
