"""A session as an RFC 5545 event (the `icalendar` library): the practitioners' feeds and the
patients' invites describe each session under one UID, so a calendar that has both, or an
invite and its later update, shows one event.

SEQUENCE is the session's revision, which scheduling raises on every move and on a cancel: a
calendar keeps the event with the highest SEQUENCE, so an older invite never overwrites a move.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from icalendar import Calendar, Event, vCalAddress

PRODID = "-//Clinic//Sessions//EN"
UID_DOMAIN = "sessions.clinic"
Method = Literal["REQUEST", "CANCEL"]


def session_uid(session_id: uuid.UUID | str) -> str:
    """The one UID of a session, in every feed and every invite."""
    return f"{session_id}@{UID_DOMAIN}"


@dataclass(frozen=True)
class SessionEvent:
    """What an event says about one session (no patient contact; a feed gives initials only)."""

    session_id: uuid.UUID | str
    starts_at: datetime
    ends_at: datetime
    revision: int
    cancelled: bool
    summary: str
    stamp: datetime  # when this description was made or the session last changed
    location: str | None = None
    description: str | None = None


def vevent(session: SessionEvent) -> Event:
    event = Event()
    event.add("uid", session_uid(session.session_id))
    event.add("dtstamp", session.stamp)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("sequence", session.revision)
    event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
    event.add("summary", session.summary)
    if session.location:
        event.add("location", session.location)
    if session.description:
        event.add("description", session.description)
    return event


def calendar(*, name: str | None = None, method: Method | None = None) -> Calendar:
    """An empty VCALENDAR: a feed has a name and no method; an invite has a method."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method is not None:
        cal.add("method", method)
    if name is not None:
        cal.add("x-wr-calname", name)
    return cal


def invite(
    session: SessionEvent,
    *,
    method: Method,
    organizer: tuple[str, str],
    attendee: tuple[str, str],
) -> bytes:
    """An iTIP message (RFC 5546) about one session, for an email's `.ics`: REQUEST books or
    updates it, CANCEL cancels it. `organizer` and `attendee` are (name, email address)."""
    event = vevent(session)
    event.add("organizer", _address(*organizer))
    guest = _address(*attendee)
    guest.params["ROLE"] = "REQ-PARTICIPANT"
    guest.params["RSVP"] = "FALSE"
    event.add("attendee", guest)
    cal = calendar(method=method)
    cal.add_component(event)
    return bytes(cal.to_ical())


def _address(name: str, email: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = name
    return address
