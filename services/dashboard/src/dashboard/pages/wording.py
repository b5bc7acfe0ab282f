"""A service's refusal of one date, in words a receptionist understands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dashboard.clients import ServiceProblem
from dashboard.i18n import N_, _
from dashboard.wording import day


def _interval(body: dict[str, Any]) -> str:
    window = body.get("window") or {}
    earliest, latest = day(window.get("earliest")), day(window.get("latest"))
    return _(
        "Too close to or too far from the session before: choose between %(earliest)s and "
        "%(latest)s."
    ) % {"earliest": earliest, "latest": latest}


SLOT_TAKEN = {  # whole sentences: French nouns carry their gender into the sentence
    "room": N_("The room already has a session then: choose another time."),
    "practitioner": N_("The practitioner already has a session then: choose another time."),
}


def _slot_taken(body: dict[str, Any]) -> str:
    resource = str(body.get("resource") or "")
    if resource not in SLOT_TAKEN:
        return _("The practitioner or room already has a session then: choose another time.")
    return _(SLOT_TAKEN[resource])


def _away(_body: dict[str, Any]) -> str:
    return _("The practitioner is away then: choose another day.")


SAYINGS: dict[str, Callable[[dict[str, Any]], str]] = {
    "interval-violation": _interval,
    "slot-taken": _slot_taken,
    "practitioner-away": _away,
}


def date_refusal(problem: ServiceProblem) -> str:
    """The words shown beside the date row a booking refused."""
    slug = str(problem.body.get("type", "")).rsplit("/", 1)[-1]
    if slug in SAYINGS:
        return SAYINGS[slug](problem.body)
    if "past" in problem.detail:
        return _("This time has already passed: choose a later one.")
    return problem.detail
