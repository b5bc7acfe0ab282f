"""A confirmation email's and a cancellation email's calendar invites: one `.ics` per session,
under the session's one UID (as in the practitioners' feeds), its SEQUENCE the session's
revision, so a move updates the event a patient's calendar already holds and a cancel removes
it (RFC 5546: METHOD REQUEST, then CANCEL)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from clinic_shared.ical import Method, SessionEvent, invite
from notifications.adapters.channels import Attachment
from notifications.domain.wording import session_title

INVITED_KINDS: dict[str, Method] = {"confirmation": "REQUEST", "cancellation": "CANCEL"}


def invites(message: Any, contact: Any, *, clinic: Any, language: str) -> tuple[Attachment, ...]:
    """The invites the email `message` carries to `contact` (none for other messages, or while
    the clinic has no address to send them from)."""
    method = INVITED_KINDS.get(message.kind)
    if method is None or message.channel != "email" or not clinic.email or not contact.email:
        return ()
    context = message.context
    if method == "CANCEL":
        listed = [context | {"session_id": str(message.session_id)}]
    else:
        listed = context.get("sessions") or []
    return tuple(
        _attachment(
            _event(session, context, clinic=clinic, language=language, stamp=message.created_at),
            method,
            organizer=(clinic.name, clinic.email),
            attendee=(contact.first_name, contact.email),
        )
        for session in listed
        if session.get("ends_at")  # a session told before ends were kept has no invite
    )


def _event(
    session: dict[str, Any], context: dict[str, Any], *, clinic: Any, language: str, stamp: datetime
) -> SessionEvent:
    return SessionEvent(
        session_id=session["session_id"],
        starts_at=datetime.fromisoformat(session["starts_at"]),
        ends_at=datetime.fromisoformat(session["ends_at"]),
        revision=int(session.get("revision") or 0),
        cancelled=False,
        summary=session_title(
            language, session["sequence"], context.get("sessions_planned"), clinic.name
        ),
        stamp=stamp,
        location=clinic.address,
    )


def _attachment(
    event: SessionEvent, method: Method, *, organizer: tuple[str, str], attendee: tuple[str, str]
) -> Attachment:
    if method == "CANCEL":
        event = SessionEvent(**{**vars(event), "cancelled": True})
    content = invite(event, method=method, organizer=organizer, attendee=attendee)
    name = "cancelled" if method == "CANCEL" else "session"
    return Attachment(
        filename=f"{name}-{event.starts_at:%Y%m%d-%H%M}.ics",
        media_type="text/calendar",
        content=content,
        params=(("method", method),),
    )
