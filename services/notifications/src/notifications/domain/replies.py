"""What a patient's SMS reply asks for.

STOP and its carrier synonyms (CANCEL among them) opt the number out of every SMS; that is why
no message ever asks a patient to reply CANCEL about a session.
"""

from __future__ import annotations

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
