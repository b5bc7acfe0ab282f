"""Booking and moving from the calendar's grid: JSON in, problem+json with the reason out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from clinic_shared.errors import Conflict, Unprocessable
from dashboard.clients import ServiceProblem
from dashboard.days import WallClock
from dashboard.deps import ServicesDep, SettingsDep, page_router
from dashboard.i18n import N_, _, ngettext, strftime
from dashboard.pages.calendar import FrontDeskUser
from dashboard.wording import day, scheduling_errors

router = page_router(prefix="/calendar/api", tags=["calendar"])
IN_THE_PAST = N_("That time is in the past. Choose a later one.")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GridBooking(Strict):
    course_id: uuid.UUID
    starts_at: WallClock  # the clinic's wall clock, as the grid shows it
    room_id: uuid.UUID
    practitioner_id: uuid.UUID | None = None


class GridMove(Strict):
    starts_at: WallClock
    shift_following: bool = False


def clinic_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time from the grid, in the clinic's zone (an offset given is kept)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def refusal(problem: ServiceProblem) -> Unprocessable:
    """Scheduling's refusal in a receptionist's words, as the dashboard's own 422."""
    reasons = scheduling_errors(problem)
    detail = next(iter(reasons.values()), problem.detail)
    return Unprocessable(detail, errors=[{"field": "body.starts_at", "reason": detail}])


@router.post("/book", status_code=201)
async def book_from_grid(
    body: GridBooking, user: FrontDeskUser, services: ServicesDep, settings: SettingsDep
) -> dict[str, Any]:
    """Book the course's next session at the slot clicked."""
    starts_at = clinic_time(body.starts_at, settings.zone)
    if starts_at < datetime.now(settings.zone):
        past = _(IN_THE_PAST)
        raise Unprocessable(past, errors=[{"field": "body.starts_at", "reason": past}])
    request = {
        "course_id": str(body.course_id),
        "starts_at": starts_at.isoformat(),
        "room_id": str(body.room_id),
    }
    if body.practitioner_id:
        request["practitioner_id"] = str(body.practitioner_id)
    try:
        session = await services.scheduling.post("/v1/sessions", request)
    except ServiceProblem as exc:
        if exc.status not in {409, 422}:
            raise
        raise refusal(exc) from None
    when = datetime.fromisoformat(session["starts_at"]).astimezone(settings.zone)
    message = _("Session %(number)s is booked for %(when)s.") % {
        "number": session["sequence"],
        "when": strftime(when, "%a %d %b %H:%M"),
    }
    return {"session_id": session["id"], "message": message}


@router.post("/sessions/{session_id}/move")
async def move_from_grid(
    session_id: uuid.UUID,
    body: GridMove,
    user: FrontDeskUser,
    services: ServicesDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """Move the session dropped; when it breaks the next interval, say the later ones may move."""
    starts_at = clinic_time(body.starts_at, settings.zone)
    move = {"starts_at": starts_at.isoformat(), "shift_following": body.shift_following}
    try:
        moved = await services.scheduling.post(f"/v1/sessions/{session_id}/reschedule", move)
    except ServiceProblem as exc:
        if "shift_following" in exc.detail and "next_session_id" in exc.body:
            allowed = exc.body.get("allowed_for_next") or {}
            question = _(
                "The next session would then be too close or too far (it must fall between "
                "%(earliest)s and %(latest)s). Move the following sessions by as many days too?"
            ) % {"earliest": day(allowed.get("earliest")), "latest": day(allowed.get("latest"))}
            raise Conflict(question, shift_possible=True) from None
        if exc.status not in {409, 422}:
            raise
        raise refusal(exc) from None
    when = datetime.fromisoformat(moved["starts_at"]).astimezone(settings.zone)
    also = len(moved["shifted"])
    facts = {"number": moved["sequence"], "when": strftime(when, "%a %d %b %H:%M"), "also": also}
    if also:
        message = ngettext(
            "Session %(number)s moved to %(when)s; %(also)s following session moved with it.",
            "Session %(number)s moved to %(when)s; %(also)s following sessions moved with it.",
            also,
        )
    else:
        message = _("Session %(number)s moved to %(when)s.")
    return {"message": message % facts, "shifted": also}
