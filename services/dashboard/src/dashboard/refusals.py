"""Scheduling's refusals of a date in the page's language, read from the problem's type and
facts; for a type not listed here the service's own `detail` (in English) stays."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from babel.numbers import format_decimal

from dashboard.i18n import N_, _, current, ngettext, strftime


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


AREAS = {  # the catalogue's treatment areas, as a noun after "this area"
    "thighs": N_("thighs"),
    "buttocks": N_("buttocks"),
    "abdomen": N_("abdomen"),
    "calves": N_("calves"),
    "inner_arms": N_("inner arms"),
}


def _course_already_active(body: dict[str, Any]) -> str:
    area = str(body["area"])
    named = _(AREAS[area]) if area in AREAS else area.replace("_", " ")
    return _(
        "The patient has an active course for this area already (%(area)s): book its missing "
        "sessions rather than a second course."
    ) % {"area": named}


def _course_full(_body: dict[str, Any]) -> str:
    return _(
        "Every session of this course is booked or done already: change the course's session "
        "count to book more."
    )


def _patient_erased(_body: dict[str, Any]) -> str:
    return _(
        "This patient was erased: they get no new course or session. Register them again if "
        "they return."
    )


def _unknown_treatment(_body: dict[str, Any]) -> str:
    return _("This treatment is not in the catalogue: choose one from the list.")


def _too_late_to_change(body: dict[str, Any]) -> str:
    hours = float(body["notice_hours"])
    if hours.is_integer():
        return ngettext(
            "This session starts in less than %(hours)d hour: please call the clinic to change it.",
            "This session starts in less than %(hours)d hours: please call the clinic to "
            "change it.",
            int(hours),
        ) % {"hours": int(hours)}
    return _(
        "This session starts in less than %(hours)s hours: please call the clinic to change it."
    ) % {"hours": format_decimal(hours, locale=current.get())}


SAYINGS: dict[str, Callable[[dict[str, Any]], str]] = {
    "clinic-closed": _clinic_closed,
    "outside-working-hours": _outside_working_hours,
    "outside-horizon": _outside_horizon,
    "maintenance-too-early": _maintenance_too_early,
    "contraindicated": _contraindicated,
    "duplicate-patient": _duplicate_patient,
    "course-already-active": _course_already_active,
    "course-full": _course_full,
    "patient-erased": _patient_erased,
    "unknown-treatment": _unknown_treatment,
    "too-late-to-change": _too_late_to_change,
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
