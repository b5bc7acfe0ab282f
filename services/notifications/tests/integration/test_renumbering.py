"""A session renumbered by scheduling: its unsent messages say the new number, newest event wins."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from fastapi import FastAPI

from clinic_shared.contracts.events import SessionBooked, SessionRenumbered, SessionRescheduled
from clinic_testing.helpers import running
from notifications.adapters.orm import sessions

from .dispatching import Recorder, dispatcher, driven_app
from .events import STARTS, T0, Session, envelope, publish

SMS_REMINDER = STARTS - timedelta(hours=24)


def renumbered(session: Session, sequence: int, previous: int) -> SessionRenumbered:
    return SessionRenumbered(**session.facts(sequence=sequence), previous_sequence=previous)


async def projected_sequence(app: FastAPI, session: Session) -> int | None:
    async with app.state.runtime.db.session() as db:
        statement = sa.select(sessions.c.sequence).where(
            sessions.c.session_id == session.session_id
        )
        return await db.scalar(statement)


def texts(recorder: Recorder) -> list[str]:
    return [o.text for o in recorder.sent]


async def test_a_pending_reminder_says_the_new_session_number(make_settings) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    session = Session()
    async with running(app):
        await publish(app, envelope(session.contact(consent_email=False)))
        await publish(app, envelope(SessionBooked(**session.facts())))
        sender = dispatcher(app, recorder)
        await sender.dispatch_once(now=T0)  # the confirmation, still session 3
        await publish(app, envelope(renumbered(session, 2, 3), T0 + timedelta(minutes=1)))
        await sender.dispatch_once(now=SMS_REMINDER)
        sequence = await projected_sequence(app, session)
    confirmation, reminder = texts(recorder)
    assert "session 3 of 10" in confirmation
    assert "session 2 of 10" in reminder
    assert sequence == 2


async def test_a_duplicate_or_older_renumbering_changes_nothing(make_settings) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    session = Session()
    newest = envelope(renumbered(session, 2, 4), T0 + timedelta(minutes=2))
    older = envelope(renumbered(session, 4, 3), T0 + timedelta(minutes=1))
    async with running(app):
        await publish(app, envelope(session.contact(consent_email=False)))
        await publish(app, envelope(SessionBooked(**session.facts())))
        await publish(app, newest, newest)
        await publish(app, older)  # sent before the newest, arriving after it
        sender = dispatcher(app, recorder)
        await sender.dispatch_once(now=SMS_REMINDER)
        sequence = await projected_sequence(app, session)
    assert all("session 2 of 10" in text for text in texts(recorder))
    assert len(recorder.sent) == 2  # the confirmation and the SMS reminder
    assert sequence == 2


async def test_a_renumbering_older_than_the_booking_changes_nothing(make_settings) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    session = Session()
    async with running(app):
        await publish(app, envelope(session.contact(consent_email=False)))
        await publish(app, envelope(SessionBooked(**session.facts()), T0 + timedelta(minutes=1)))
        await publish(app, envelope(renumbered(session, 5, 3), T0))
        await dispatcher(app, recorder).dispatch_once(now=SMS_REMINDER)
        sequence = await projected_sequence(app, session)
    assert all("session 3 of 10" in text for text in texts(recorder))
    assert sequence == 3


async def test_a_late_older_move_still_applies_but_keeps_the_newer_number(make_settings) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    session = Session()
    later = STARTS + timedelta(days=1)
    moved = SessionRescheduled(**session.facts(later), previous_starts_at=STARTS)
    async with running(app):
        await publish(app, envelope(session.contact(consent_email=False)))
        await publish(app, envelope(SessionBooked(**session.facts())))
        await publish(app, envelope(renumbered(session, 2, 3), T0 + timedelta(minutes=2)))
        await publish(app, envelope(moved, T0 + timedelta(minutes=1)))  # arriving last
        await dispatcher(app, recorder).dispatch_once(now=SMS_REMINDER + timedelta(days=1))
        sequence = await projected_sequence(app, session)
    assert len(recorder.sent) == 2  # the move's confirmation and the new time's SMS reminder
    assert all("session 2 of 10" in text for text in texts(recorder))
    assert sequence == 2
