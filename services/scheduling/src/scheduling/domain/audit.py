"""The audit trail: who changed a patient, a course or a session, when, and which fields.

A trail names fields, never their values: a phone number or an email changed is recorded as
`phone` or `email`, so the trail holds no contact details (and outlives an erasure unchanged).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Literal

Kind = Literal["patient", "course", "session"]


@dataclass(frozen=True)
class Actor:
    """Who makes a change: the token's subject (a staff account's id) and role, and for a
    practitioner the scheduling practitioner their token names."""

    subject: str
    role: str
    practitioner_id: uuid.UUID | None = None


SYSTEM = Actor(subject="system", role="system")
"""The service itself, reacting to another service's event (not a staff change)."""


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    by: str
    role: str
    action: str
    fields: tuple[str, ...]


def changed_fields(before: Any, after: Any) -> tuple[str, ...]:
    """The names of the dataclass fields whose values differ between `before` and `after`."""
    return tuple(
        f.name for f in fields(before) if getattr(before, f.name) != getattr(after, f.name)
    )
