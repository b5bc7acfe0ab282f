"""A service's refusal of one date, in words a receptionist understands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from dashboard.clients import ServiceProblem


def _day(value: Any) -> str:
    return date.fromisoformat(value).strftime("%a %d %b") if value else "any day"


def _interval(body: dict[str, Any]) -> str:
    window = body.get("window") or {}
    earliest, latest = _day(window.get("earliest")), _day(window.get("latest"))
    return (
        f"Too close to or too far from the session before: choose between {earliest} and {latest}."
    )


def _slot_taken(body: dict[str, Any]) -> str:
    resource = body.get("resource") or "practitioner or room"
    return f"The {resource} already has a session then: choose another time."


def _away(_: dict[str, Any]) -> str:
    return "The practitioner is away then: choose another day."


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
        return "This time has already passed: choose a later one."
    return problem.detail
