"""Today / week: the sessions per practitioner or room, refreshed by polling a partial."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from clinic_shared.auth import Role
from dashboard.agenda import CLINICAL, FRONT_DESK, day_range, load_agenda
from dashboard.days import Day
from dashboard.deps import CurrentUser, RuntimeDep, ServicesDep, SettingsDep, page_router
from dashboard.web import render

router = page_router(tags=["agenda"])
Grouping = Literal["practitioner", "room"]


@router.get("/", response_class=HTMLResponse)
async def agenda_page(
    request: Request,
    user: CurrentUser,
    settings: SettingsDep,
    day: Annotated[Day | None, Query()] = None,
    week: bool = False,
    by: Grouping = "practitioner",
) -> HTMLResponse:
    today = datetime.now(settings.zone).date()
    shown = day or today
    step = timedelta(days=7 if week else 1)
    context = {
        "day": shown,
        "monday": shown - timedelta(days=shown.weekday()),
        "week": week,
        "by": by,
        "before": shown - step,
        "after": shown + step,
        # a practitioner's today, their own sessions first, is their "My day"
        "my_day": user.account.role is Role.PRACTITIONER and shown == today and not week,
    }
    return render(request, "agenda/page.html", context)


@router.get("/agenda/sessions", response_class=HTMLResponse)
async def agenda_sessions(
    request: Request,
    user: CurrentUser,
    services: ServicesDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    day: Day,
    week: bool = False,
    by: Grouping = "practitioner",
) -> HTMLResponse:
    start, end = day_range(day, week, settings.zone)
    mine = user.account.practitioner_id
    groups = await load_agenda(services, start, end, by, mine)
    role = user.account.role
    context = {
        "groups": groups,
        "by": by,
        "week": week,
        "clinical": role in CLINICAL,
        # scheduling lets a practitioner complete or mark missed only their own sessions
        "own_only": role is Role.PRACTITIONER,
        "mine": str(mine) if mine else None,
        "front_desk": role in FRONT_DESK,
        "now": runtime.clock(),
    }
    return render(request, "agenda/_sessions.html", context)
