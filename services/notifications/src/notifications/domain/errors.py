"""Notifications' refusals, each mapped to its HTTP status by its base class, and the events
that arrive before what they need (the consumer tries them again later)."""

from __future__ import annotations

from typing import Any

from clinic_shared.errors import BadRequest, Conflict, Forbidden, Unprocessable

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


class FormNotTheProviders(BadRequest):
    """A signed webhook form with a field the SMS provider does not send, or a malformed id."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__("The form is not one the SMS provider sends.", errors=problems)


class SignatureReused(Forbidden):
    """A signed webhook request whose signature came before with another message id: the same
    signed text re-split into other parameters."""

    def __init__(self) -> None:
        super().__init__(
            "This X-Twilio-Signature was already received for another message.",
            errors=[{"field": "header.X-Twilio-Signature", "reason": "already used"}],
        )
