"""What a patient's SMS reply asks for, and which session a reply from a shared number is about.

STOP and its carrier synonyms (CANCEL among them) opt the number out of every SMS; that is why
no message ever asks a patient to reply CANCEL about a session.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Intent = Literal["confirm", "reschedule", "opt_out", "opt_in"]

KEYWORDS: dict[str, Intent] = {
    "C": "confirm",
    "CONFIRM": "confirm",
    "R": "reschedule",
    "RESCHEDULE": "reschedule",
    "STOP": "opt_out",
    "STOPALL": "opt_out",
    "UNSUBSCRIBE": "opt_out",
    "CANCEL": "opt_out",
    "END": "opt_out",
    "QUIT": "opt_out",
    "ARRET": "opt_out",
    "ARRÊT": "opt_out",
    "START": "opt_in",
    "UNSTOP": "opt_in",
    "YES": "opt_in",
}


def intent_of(body: str) -> Intent | None:
    """The reply's intent from its first word, case and punctuation aside; None when unknown."""
    words = body.strip().split()
    if not words:
        return None
    return KEYWORDS.get(words[0].strip(".!,;:").upper())


REPLY_WINDOW = timedelta(hours=24)
"""A reply from a shared number answers an SMS sent to it this long before, at most."""
SAME_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class SentSms:
    """A reminder or confirmation that went by SMS to the number, and the session it named."""

    patient_id: uuid.UUID
    session_id: uuid.UUID
    sent_at: datetime


@dataclass(frozen=True)
class Unmatched:
    """Why a reply from a shared number answers no session (staff are told)."""

    reason: str


NOTHING_SENT = Unmatched("no reminder or confirmation went to the number in the last 24 hours")
SAME_MINUTE_SENDS = Unmatched("messages to two patients on the number went within one minute")
SESSION_GONE = Unmatched("the session of the last message to the number is no longer upcoming")


def replied_to(sent: Sequence[SentSms], *, now: datetime) -> SentSms | Unmatched:
    """The message a reply from a number several patients share answers: the last reminder or
    confirmation sent to it within `REPLY_WINDOW`. None sent, or two sent to different patients
    less than a minute apart at the end, and no one can tell whose it is."""
    recent = sorted(
        (s for s in sent if now - REPLY_WINDOW <= s.sent_at <= now), key=lambda s: s.sent_at
    )
    if not recent:
        return NOTHING_SENT
    last = recent[-1]
    if any(
        s.patient_id != last.patient_id and last.sent_at - s.sent_at < SAME_MINUTE for s in recent
    ):
        return SAME_MINUTE_SENDS
    return last
