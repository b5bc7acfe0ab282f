"""Notifications' refusals, each mapped to its HTTP status by its base class, and the events
that arrive before what they need (the consumer tries them again later)."""

from __future__ import annotations

from typing import Any

from clinic_shared.errors import Conflict, Unprocessable

STOPPED = (
    "The patient replied STOP by SMS: only their START reply turns SMS back on (carrier rules). "
    "Ask them to text START to the clinic's number."
)


class StoppedBySms(Conflict):
    """Staff tried to turn SMS back on after the patient's (or their number's) STOP."""

    def __init__(self) -> None:
        super().__init__(
            STOPPED, errors=[{"field": "body.consent_sms", "reason": "the patient replied STOP"}]
        )


class InvalidPolicy(Unprocessable):
    """A reminder policy with problems, each naming its field."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__("The reminder policy is invalid.", errors=problems)


class ContactNotYetKnown(Exception):
    """The patient's contact event has not arrived yet: the consumer retries later."""


class SessionNotYetKnown(Exception):
    """The session's booking has not arrived yet: the consumer retries later."""
