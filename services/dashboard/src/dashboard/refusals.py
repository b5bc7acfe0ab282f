"""Scheduling's refusals of a date in the page's language, read from the problem's type and
facts; for a type not listed here the service's own `detail` (in English) stays."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from dashboard.i18n import _, strftime


def _day(value: object) -> str:
    """A day, or the day of an instant (`2030-03-11T09:00:00+00:00`), as `Mon 11 Mar 2030`."""
    return strftime(date.fromisoformat(str(value)[:10]), "%a %d %b %Y")


def _clinic_closed(body: dict[str, Any]) -> str:
    closure = body.get("closure") or {}
    reason = closure.get("reason")
    if closure.get("kind") == "holiday":
        if reason:
            return _(
                "The clinic is closed then (public holiday: %(reason)s): choose another day."
            ) % {"reason": reason}
        return _("The clinic is closed then (a public holiday): choose another day.")
    if reason:
        return _("The clinic is closed then (%(reason)s): choose another day.") % {"reason": reason}
    return _("The clinic is closed then: choose another day.")


def _outside_working_hours(body: dict[str, Any]) -> str:
    hours = [str(h) for h in body.get("working_hours") or []]
    if not hours:
        return _("The practitioner does not work that day: choose another day.")
    return _(
        "The practitioner does not work then (hours that day: %(hours)s): choose another time."
    ) % {"hours": ", ".join(hours)}


def _outside_horizon(body: dict[str, Any]) -> str:
    horizon = body["horizon"]
    return _(
        "Choose a date from %(first)s to %(last)s: the clinic books no further ahead and keeps "
        "nothing older."
    ) % {"first": _day(horizon["earliest"]), "last": _day(horizon["latest"])}


def _maintenance_too_early(body: dict[str, Any]) -> str:
    return _(
        "The previous course of this area ended too recently: this course may start on "
        "%(day)s at the earliest, unless a practitioner sets the rule aside."
    ) % {"day": _day(body["earliest"])}


def _contraindicated(body: dict[str, Any]) -> str:
    return _(
        "The course conflicts with the patient's record (%(conflicts)s): change the "
        "prescription, or a practitioner sets the rule aside."
    ) % {"conflicts": ", ".join(str(c) for c in body["conflicts"])}


def _duplicate_patient(body: dict[str, Any]) -> str:
    fields = {str(e.get("field")) for e in body.get("errors") or []}
    if "body.email" in fields:
        return _("A patient is registered already with this email: open their record.")
    return _("A patient is registered already with this phone and name: open their record.")


SAYINGS: dict[str, Callable[[dict[str, Any]], str]] = {
    "clinic-closed": _clinic_closed,
    "outside-working-hours": _outside_working_hours,
    "outside-horizon": _outside_horizon,
    "maintenance-too-early": _maintenance_too_early,
    "contraindicated": _contraindicated,
    "duplicate-patient": _duplicate_patient,
}


def translated_detail(body: dict[str, Any]) -> str | None:
    """The refusal in the page's language when its type is listed here and its facts are
    there; None otherwise (the service's `detail` is then shown)."""
    slug = str(body.get("type", "")).rsplit("/", 1)[-1]
    say = SAYINGS.get(slug)
    if say is None:
        return None
    try:
        return say(body)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
