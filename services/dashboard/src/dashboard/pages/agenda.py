"""Today / week: the sessions of the day or week, refreshed by polling a partial."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from dashboard.clients import Services
from dashboard.deps import CurrentUser, ServicesDep, SettingsDep
from dashboard.web import render

router = APIRouter(tags=["agenda"])


def _range(day: date, week: bool, settings: SettingsDep) -> tuple[datetime, datetime]:
    start = day - timedelta(days=day.weekday()) if week else day
    first = datetime.combine(start, time(), settings.zone)
    return first, first + timedelta(days=7 if week else 1)


async def _sessions(services: Services, start: datetime, end: datetime) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await services.scheduling.get(
        "/v1/sessions", **{"from": start.isoformat(), "to": end.isoformat(), "limit": 500}
    )
    return sorted(found, key=lambda s: s["starts_at"])


@router.get("/", response_class=HTMLResponse)
async def agenda_page(
    request: Request,
    user: CurrentUser,
    settings: SettingsDep,
    day: Annotated[date | None, Query()] = None,
    week: bool = False,
) -> HTMLResponse:
    shown = day or datetime.now(settings.zone).date()
    return render(request, "agenda/page.html", {"day": shown, "week": week})


@router.get("/agenda/sessions", response_class=HTMLResponse)
async def agenda_sessions(
    request: Request,
    user: CurrentUser,
    services: ServicesDep,
    settings: SettingsDep,
    day: date,
    week: bool = False,
) -> HTMLResponse:
    start, end = _range(day, week, settings)
    sessions = await _sessions(services, start, end)
    return render(request, "agenda/_sessions.html", {"sessions": sessions})
