"""Alerts: reorders, expiring lots, shortages, failed messages, staff alerts; dismiss or act."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clinic_shared.auth import Role
from dashboard.accounts.service import SignedIn
from dashboard.clients import Services
from dashboard.deps import CsrfChecked, CurrentUser, ServicesDep
from dashboard.i18n import N_
from dashboard.pages.stock import Manager, StockStaff
from dashboard.web import is_htmx, render

router = APIRouter(tags=["alerts"])
KINDS = {
    "reorder": N_("Reorder"),
    "expiry": N_("Expiring lot"),
    "shortage": N_("Shortage"),
    "recalled_lot_used": N_("Recalled lot used"),
}


async def _session_days(services: Services, alerts: list[dict[str, Any]]) -> dict[str, str]:
    """The day of each shortage's session, to link to it on the agenda."""
    days = {}
    for alert in alerts:
        if alert["session_id"] and alert["session_id"] not in days:
            session = await services.scheduling.get(f"/v1/sessions/{alert['session_id']}")
            days[alert["session_id"]] = session["starts_at"]
    return days


async def _context(user: SignedIn, services: Services) -> dict[str, Any]:
    stock = [a for a in await services.inventory.get("/v1/alerts") if a["status"] == "open"]
    # Messages are about patients: a stock manager neither reads them nor sees this section.
    reads_messages = user.account.role is not Role.STOCK_MANAGER
    failed = (
        await services.notifications.get("/v1/messages", status="failed", limit=50)
        if reads_messages
        else None
    )
    return {
        "stock_alerts": stock,
        "kinds": KINDS,
        "session_days": await _session_days(services, stock),
        "failed": failed,
        "staff_alerts": await services.notifications.get("/v1/staff-alerts", limit=20),
        "can_dismiss": user.account.role in StockStaff,
        "sees_patients": user.account.role in {Role.ADMIN, Role.RECEPTIONIST},
    }


@router.get("/alerts", response_class=HTMLResponse)
async def alerts_page(request: Request, user: CurrentUser) -> HTMLResponse:
    return render(request, "alerts/page.html")


@router.get("/alerts/partial", response_class=HTMLResponse)
async def alerts_partial(
    request: Request, user: CurrentUser, services: ServicesDep
) -> HTMLResponse:
    return render(request, "alerts/_partial.html", await _context(user, services))


@router.post("/alerts/{alert_id}/dismiss", response_class=HTMLResponse, response_model=None)
async def dismiss(
    request: Request, user: CsrfChecked, services: ServicesDep, _allowed: Manager, alert_id: UUID
) -> Response:
    await services.inventory.post(f"/v1/alerts/{alert_id}/dismiss")
    if is_htmx(request):
        return render(request, "alerts/_partial.html", await _context(user, services))
    return RedirectResponse("/alerts", status_code=303)
