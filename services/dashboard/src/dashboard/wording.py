"""Scheduling's refusals in words a receptionist understands, keyed by the form field."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from dashboard.clients import ServiceProblem
from dashboard.i18n import N_, _, strftime


def day(value: str | None) -> str:
    """`2030-03-11` as `Mon 11 Mar`."""
    return strftime(date.fromisoformat(value), "%a %d %b") if value else _("any day")


def window(earliest: str | None, latest: str | None, today: date) -> str:
    """An allowed window of days from today on: `Mon 11 Mar to Fri 15 Mar`."""
    first = max(date.fromisoformat(earliest), today) if earliest else today
    start = strftime(first, "%a %d %b")
    if latest is None:
        return _("%(day)s onwards") % {"day": start}
    if date.fromisoformat(latest) < first:
        return _("no day left")
    return _("%(first)s to %(last)s") % {"first": start, "last": day(latest)}


# Scheduling's flag on a session inside an absence (its `closures.describe`), then ": reason".
CLOSURE_FLAGS = {
    "inside the practitioner's time off": N_("inside the practitioner's time off"),
    "inside a closure of the clinic": N_("inside a closure of the clinic"),
    "on a public holiday": N_("on a public holiday"),
}


def closure_flag(flag: str) -> str:
    """A session's `closure_conflict` in the page's language; the reason staff typed stays as
    typed, and a flag worded otherwise is shown as scheduling wrote it."""
    what, colon, reason = flag.partition(": ")
    if what not in CLOSURE_FLAGS:
        return flag
    if not colon:
        return _(CLOSURE_FLAGS[what])
    return _("%(why)s: %(reason)s") % {"why": _(CLOSURE_FLAGS[what]), "reason": reason}


def closed_day(closed: dict[str, Any]) -> str:
    """A day a session may not move to: `Tue 12 Mar (clinic closed: Works)`."""
    what = {
        "time_off": N_("practitioner away"),
        "closure": N_("clinic closed"),
        "holiday": N_("holiday"),
    }
    kind = _(what[closed["kind"]]) if closed["kind"] in what else closed["kind"]
    reason = f": {closed['reason']}" if closed.get("reason") else ""
    return f"{day(closed['day'])} ({kind}{reason})"


def session_name(session: dict[str, Any]) -> str:
    """`session 3`, or `session (was 3)` for a cancelled or missed one: only the sessions that
    count towards the course are numbered."""
    if session.get("sequence") is not None:
        return _("session %(number)s") % {"number": session["sequence"]}
    was = session.get("was_sequence")
    return _("session (was %(number)s)") % {"number": was} if was is not None else _("session")


SHORT_REASONS = {"In the past.": N_("That time has already passed. Choose a later one.")}
SLOT_TAKEN = {  # whole sentences: French nouns carry their gender into the sentence
    "room": N_("The room already has a session then. Choose another time."),
    "practitioner": N_("The practitioner already has a session then. Choose another time."),
}


def _slug(problem: ServiceProblem) -> str:
    return str(problem.body.get("type", "")).rsplit("/", 1)[-1]


def _window(window: dict[str, Any]) -> str:
    return _("%(earliest)s and %(latest)s") % {
        "earliest": day(window.get("earliest")),
        "latest": day(window.get("latest")),
    }


def _short(reason: str) -> str:
    return _(SHORT_REASONS[reason]) if reason in SHORT_REASONS else reason


def scheduling_errors(problem: ServiceProblem, field: str = "starts_at") -> dict[str, str]:
    """Field -> what went wrong and what to do, for the booking and moving forms."""
    body, slug = problem.body, _slug(problem)
    if "next_session_id" in body:
        allowed = body.get("allowed_for_next") or {}
        return {
            "shift_following": _(
                "The next session would then be too close or too far (it must fall between "
                "%(window)s). Tick “Also move the following sessions” to move them by as many "
                "days, or choose another day."
            )
            % {"window": _window(allowed)}
        }
    if slug == "interval-violation":
        window = _window(body.get("window") or {})
        reason = _("Choose a day between %(window)s: sessions of a course keep their interval.") % {
            "window": window
        }
    elif slug == "slot-taken":
        reason = _(SLOT_TAKEN.get(str(body.get("resource")), SLOT_TAKEN["room"]))
    elif slug == "practitioner-away":
        reason = _("The practitioner is away then. Choose another day.")
    else:
        fields = {k: _short(v) for k, v in problem.fields.items()}
        return fields or {"form": problem.detail}
    target = next(iter(problem.fields), field) if problem.fields else field
    return {target: reason}


def outcome_error(problem: ServiceProblem, zone: ZoneInfo) -> str:
    """Why a session could not be completed, marked a no-show or cancelled."""
    starts_at = problem.body.get("starts_at")
    if _slug(problem) == "wrong-state" and isinstance(starts_at, str):
        moment = datetime.fromisoformat(starts_at).astimezone(zone)
        return _("The session has not started yet: this can be done from %(when)s.") % {
            "when": strftime(moment, "%a %d %b %H:%M")
        }
    return problem.detail
