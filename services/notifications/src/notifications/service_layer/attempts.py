"""What one dispatch round works with: its options, each attempt and each message's result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from notifications.adapters.channels import Delivery
from notifications.adapters.leases import ContactRow, MessageRow
from notifications.domain.delivery import Outcome, RetryPolicy
from notifications.domain.planning import Reach


@dataclass(frozen=True)
class DispatchOptions:
    max_sms_segments: int = 2
    batch_size: int = 50
    concurrency: int = 10
    lease_for: timedelta = timedelta(minutes=2)
    poll_seconds: float = 5.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    delivery: Delivery | None = None
    error: str | None = None
    segments: int | None = None  # of an SMS: what the provider bills

    @property
    def provider_id(self) -> str | None:
        return self.delivery.provider_id if self.delivery else None


@dataclass(frozen=True)
class Result:
    """What became of a leased message: its new columns, and the attempt if one was made."""

    message: MessageRow
    values: dict[str, Any]
    attempt: Attempt | None = None

    @property
    def status(self) -> str:
        return str(self.values["status"])


def reach_of_contact(contact: ContactRow) -> Reach:
    return Reach(
        phone=contact.phone,
        email=contact.email,
        preferred_channel=contact.preferred_channel,
        consent_sms=contact.consent_sms,
        consent_email=contact.consent_email,
    )
