"""The calendar: day and week grids by practitioner or room, fed by a JSON data endpoint."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from clinic_shared.auth import Role
from clinic_shared.errors import Unprocessable
from dashboard.accounts.service import SignedIn
from dashboard.agenda import FRONT_DESK
from dashboard.calendar_grid import course_days, days_between
from dashboard.calendar_load import load_calendar, next_session, resources
from dashboard.days import Day
from dashboard.deps import CurrentUser, ServicesDep, SettingsDep, page_router, require_roles
from dashboard.i18n import _
from dashboard.web import render

router = page_router(tags=["calendar"])
Grouping = Literal["practitioner", "room"]
View = Literal["day", "week"]
LONGEST_RANGE = 42  # days: the week view asks for 7, a little slack for the library's ranges
FrontDeskUser = Annotated[SignedIn, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST))]


def checked_range(start: date, end: date) -> None:
    if not start < end <= start + timedelta(days=LONGEST_RANGE):
        raise Unprocessable(
            f"`end` must come after `start`, at most {LONGEST_RANGE} days later.",
            errors=[{"field": "query.end", "reason": "not after start, or too far from it"}],
        )


@router.get("/calendar", response_class=HTMLResponse)
async def calendar_page(
    request: Request,
    user: CurrentUser,
    services: ServicesDep,
    settings: SettingsDep,
    day: Annotated[Day | None, Query()] = None,
    view: View = "week",
    by: Grouping = "practitioner",
) -> HTMLResponse:
    columns, rooms = await asyncio.gather(
        resources(services, by), services.scheduling.get("/v1/rooms")
    )
    context = {
        "day": day or datetime.now(settings.zone).date(),
        "view": view,
        "by": by,
        "front_desk": user.account.role in FRONT_DESK,
        "rooms": rooms,
        "columns_json": json.dumps([{"id": c.id, "title": c.title} for c in columns]),
        "time_zone": settings.zone.key,  # the grid's "now" line follows the clinic's clock
    }
    return render(request, "calendar/page.html", context)


@router.get("/calendar/api/events")
async def calendar_events(
    user: CurrentUser,
    services: ServicesDep,
    settings: SettingsDep,
    start: Day,
    end: Day,
    by: Grouping = "practitioner",
) -> dict[str, Any]:
    """The grid's columns, background (hours, closures, absences) and sessions, start to end."""
    checked_range(start, end)
    movable = user.account.role in FRONT_DESK
    return await load_calendar(services, start, end, by, settings.zone, movable)


@router.get("/calendar/api/courses")
async def bookable_courses(
    user: FrontDeskUser,
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    response: Response,
) -> list[dict[str, str]]:
    """The active courses with a session left to book of the patients matching `q`; how many
    patients matched in `X-Patients-Matched`, so that none found says which of the two lacks."""
    patients = await services.scheduling.get("/v1/patients", q=q.strip(), limit=10)
    response.headers["X-Patients-Matched"] = str(len(patients))
    listed = await asyncio.gather(
        *(services.scheduling.get("/v1/courses", patient_id=p["id"]) for p in patients)
    )
    treatments = {t["code"]: t["name"] for t in await services.scheduling.get("/v1/treatments")}
    found = []
    for patient, courses in zip(patients, listed, strict=True):
        for course in courses:
            if course["next_window"] is None:
                continue
            done = sum(
                s["status"] in {"booked", "confirmed", "completed"} for s in course["sessions"]
            )
            name = f"{patient['first_name']} {patient['last_name']}"
            treatment = treatments.get(course["treatment_code"], course["treatment_code"])
            label = _("%(patient)s: %(treatment)s, session %(number)s of %(planned)s") % {
                "patient": name,
                "treatment": treatment,
                "number": done + 1,
                "planned": course["sessions_planned"],
            }
            found.append({"id": course["id"], "label": label})
    return found


@router.get("/calendar/api/courses/{course_id}/days")
async def course_window(
    course_id: uuid.UUID,
    user: FrontDeskUser,
    services: ServicesDep,
    settings: SettingsDep,
    start: Day,
    end: Day,
) -> dict[str, Any]:
    """Each day from start to end: may the course's next session fall on it, and if not, why."""
    checked_range(start, end)
    course = await next_session(services, course_id, settings.zone)
    if course is None:
        raise Unprocessable(_("This course has no session left to book."))
    today = datetime.now(settings.zone).date()
    return {
        "sequence": course.sequence,
        "practitioner_id": course.practitioner.id,
        "days": course_days(days_between(start, end), today, course),
    }
