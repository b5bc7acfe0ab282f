"""Practitioners' calendar feeds: a secret URL each, rotated by an admin, serving the
practitioner's sessions as RFC 5545 (one VEVENT per session not over yet, patients as initials).

The secret is random (32 bytes) and stored sealed with the data keys, so the admin can be told
the URL again; a feed request is looked up by the secret's blind index. Rotating replaces both,
and the old URL opens nothing from that commit on.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from clinic_shared.errors import NotFound
from clinic_shared.ical import SessionEvent, calendar, vevent
from scheduling.domain.feeds import initials
from scheduling.service_layer import staff
from scheduling.service_layer.scope import Scope

FEED_PATH = "/v1/feeds/{secret}.ics"
UNKNOWN_FEED = "No such calendar feed."
"""The one answer to any secret that opens no feed: unknown, rotated, forged or malformed."""


def feed_url(base_url: str, secret: str) -> str:
    return base_url.rstrip("/") + FEED_PATH.format(secret=secret)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


async def feed_secret(scope: Scope, practitioner_id: uuid.UUID) -> str:
    """The practitioner's feed secret, made on first asking."""
    await staff.practitioner(scope, practitioner_id)  # 404 for no such practitioner
    found = await scope.feeds.secret(practitioner_id)
    if found is not None:
        return found
    await scope.feeds.add_if_absent(practitioner_id, new_secret(), scope.clinic.now)
    made = await scope.feeds.secret(practitioner_id)
    assert made is not None
    return made


async def rotate(scope: Scope, practitioner_id: uuid.UUID) -> str:
    """Give the practitioner a new feed secret; the old one opens nothing from now on."""
    await staff.practitioner(scope, practitioner_id)
    secret = new_secret()
    await scope.feeds.replace(practitioner_id, secret, scope.clinic.now)
    return secret


async def feed(scope: Scope, secret: str) -> bytes:
    """The feed this secret opens, as iCalendar; NotFound, saying nothing more, for any other."""
    practitioner_id = await scope.feeds.practitioner_of(secret)
    if practitioner_id is None:
        raise NotFound(UNKNOWN_FEED)
    practitioner = await staff.practitioner(scope, practitioner_id)
    cal = calendar(name=practitioner.name)
    for row in await scope.feeds.sessions(practitioner_id, after=scope.clinic.now):
        cal.add_component(vevent(_event(row)))
    return bytes(cal.to_ical())


def _event(row: Any) -> SessionEvent:
    number = f"session {row.sequence} of {row.sessions_planned}" if row.sequence else None
    return SessionEvent(
        session_id=row.id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        revision=row.revision,
        cancelled=row.status == "cancelled",
        summary=f"{row.treatment_name} · {initials(row.first_name, row.last_name)}",
        stamp=row.updated_at,
        location=row.room_name,
        description=number.capitalize() if number else None,
    )
