"""A confirmation email carries one `.ics` per session it confirms, under the session's UID; a
move's confirmation updates it (same UID, higher SEQUENCE); a cancellation cancels it
(METHOD:CANCEL). Sent through a real SMTP server and parsed back with icalendar."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage, Message
from typing import Any

from icalendar import Calendar, Event

from clinic_shared.contracts.events import (
    Action,
    SessionBooked,
    SessionCancelled,
    SessionRescheduled,
)
from clinic_shared.ical import session_uid
from clinic_testing.helpers import running
from notifications.bootstrap import build_app
from notifications.domain.planning import CONFIRMATION_HOLD
from notifications.entrypoints.workers import build_channels, build_dispatcher
from notifications.settings import NotificationsSettings

from .events import STARTS, T0, Session, envelope, publish
from .servers import Mailbox, smtp_server

WEEK = timedelta(days=7)
ITIP_REQUIRED = ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "ORGANIZER", "ATTENDEE")


def _invites(email: Message) -> list[tuple[str, Event]]:
    """Each `.ics` the email carries: its METHOD and its one event, checked valid."""
    assert isinstance(email, EmailMessage)
    found = []
    for part in email.iter_attachments():
        assert part.get_content_type() == "text/calendar"
        assert str(part.get_filename()).endswith(".ics")
        content = part.get_payload(decode=True)
        assert isinstance(content, bytes)
        assert b"\r\n" in content  # RFC 5545's line ends survive the trip
        calendar = Calendar.from_ical(content)
        assert Calendar.from_ical(calendar.to_ical()) == calendar
        assert calendar["VERSION"] == "2.0"
        assert calendar.get("PRODID")
        assert part.get_param("method") == calendar["METHOD"]
        [event] = calendar.walk("VEVENT")
        assert all(name in event for name in ITIP_REQUIRED), event
        found.append((str(calendar["METHOD"]), event))
    return found


def _rescheduled(session: Session, starts_at: datetime, *, was: datetime, **extra: Any) -> Any:
    return SessionRescheduled(
        **session.facts(starts_at, **extra), previous_starts_at=was, revision=1
    )


async def test_invites_follow_a_booking_a_move_and_a_cancel(make_settings) -> None:
    mailbox = Mailbox()
    first, second = Session(), Session()
    second.patient_id, second.course_id = first.patient_id, first.course_id
    booking = Action(id=uuid.uuid4(), at=T0, sessions=2)
    moved_at, cancelled_at = T0 + timedelta(hours=1), T0 + timedelta(days=1)
    moved_to = STARTS + WEEK + timedelta(days=1)
    with smtp_server(mailbox) as smtp_port:
        settings = await make_settings(
            NotificationsSettings,
            dispatch_enabled=False,
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
            smtp_security="none",
            email_from="Clinique Lumière <desk@clinic.example>",
        )
        channels = build_channels(settings)
        app = build_app(settings, channels=channels)
        async with running(app):
            await publish(app, envelope(first.contact(consent_sms=False)))
            await publish(
                app,
                envelope(SessionBooked(**first.facts(sequence=1, action=booking))),
                envelope(SessionBooked(**second.facts(STARTS + WEEK, sequence=2, action=booking))),
            )
            sender = build_dispatcher(app.state.runtime, settings, channels)
            await sender.dispatch_once(now=T0)
            move = Action(id=uuid.uuid4(), at=moved_at, sessions=1)
            await publish(
                app,
                envelope(
                    _rescheduled(second, moved_to, was=STARTS + WEEK, sequence=2, action=move),
                    moved_at,
                ),
            )
            await sender.dispatch_once(now=moved_at + CONFIRMATION_HOLD)
            cancel = Action(id=uuid.uuid4(), at=cancelled_at, sessions=1)
            cancelled = SessionCancelled(
                **second.facts(moved_to, sequence=2, action=cancel), revision=2
            )
            await publish(app, envelope(cancelled, cancelled_at))
            await sender.dispatch_once(now=cancelled_at)
        await channels["email"].close()  # type: ignore[attr-defined]

    subjects = [email["Subject"] for _, email in mailbox.received]
    assert len(subjects) == 3, subjects
    booked, moved, called_off = (_invites(email) for _, email in mailbox.received)

    assert [(method, str(e["UID"]), e["SEQUENCE"]) for method, e in booked] == [
        ("REQUEST", session_uid(first.session_id), 0),
        ("REQUEST", session_uid(second.session_id), 0),
    ]
    assert booked[0][1].decoded("DTSTART") == STARTS
    assert booked[0][1].decoded("DTEND") == STARTS + timedelta(minutes=30)
    assert str(booked[0][1]["ATTENDEE"]) == "mailto:amelia@example.com"
    assert str(booked[0][1]["ORGANIZER"]) == "mailto:desk@clinic.example"
    assert "Session 1 of 10" in str(booked[0][1]["SUMMARY"])

    [(method, update)] = moved
    assert (method, str(update["UID"]), update["SEQUENCE"]) == (
        "REQUEST",
        session_uid(second.session_id),
        1,
    )
    assert update.decoded("DTSTART") == moved_to

    [(method, cancellation)] = called_off
    assert method == "CANCEL"
    assert str(cancellation["UID"]) == session_uid(second.session_id)
    assert cancellation["SEQUENCE"] == 2
    assert cancellation["STATUS"] == "CANCELLED"


async def test_sms_and_reminders_carry_no_invite(make_settings) -> None:
    mailbox = Mailbox()
    session = Session()
    with smtp_server(mailbox) as smtp_port:
        settings = await make_settings(
            NotificationsSettings,
            dispatch_enabled=False,
            smtp_host="127.0.0.1",
            smtp_port=smtp_port,
            smtp_security="none",
        )
        channels = build_channels(settings)
        app = build_app(settings, channels=channels)
        async with running(app):
            await publish(app, envelope(session.contact(consent_sms=False)))
            await publish(app, envelope(SessionBooked(**session.facts())))
            sender = build_dispatcher(app.state.runtime, settings, channels)
            await sender.dispatch_once(now=T0)
            await sender.dispatch_once(now=STARTS - timedelta(hours=48))
        await channels["email"].close()  # type: ignore[attr-defined]

    confirmation, reminder = (email for _, email in mailbox.received)
    assert reminder["Subject"].startswith("Reminder")
    assert len(_invites(confirmation)) == 1
    assert _invites(reminder) == []
