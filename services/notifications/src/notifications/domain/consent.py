"""Consent is the patient's: who may change it, and what a START gives back.

Carriers block a number that replied STOP until it replies START, so staff cannot switch SMS
back on for a patient whose SMS a STOP took away; a START gives back exactly that, never a
consent the patient had not given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from notifications.domain.errors import StoppedBySms
from notifications.domain.policy import Channel

Action = Literal["opt_in", "opt_out"]
Source = Literal["sms_reply", "staff"]


@dataclass(frozen=True)
class Entry:
    """One line of the consent ledger, as far as the rules need it."""

    action: Action
    source: Source


@dataclass(frozen=True)
class ConsentChange:
    """A change of one channel's consent to ledger: who made it and their reference (the SMS id,
    or who at the desk)."""

    channel: Channel
    granted: bool
    source: Source
    reference: str


def taken_by_stop(latest_sms: Entry | None) -> bool:
    """Whether the patient's SMS consent was last changed by a STOP reply."""
    return latest_sms == Entry("opt_out", "sms_reply")


def check_staff_may_grant_sms(*, latest_sms: Entry | None, number_stopped: bool) -> None:
    """Refuse (409) a staff opt-in to SMS that only the patient's START may give."""
    if taken_by_stop(latest_sms) or number_stopped:
        raise StoppedBySms()
