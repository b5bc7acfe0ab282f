"""Alerts: reorders, expiring lots, shortages, failed messages, staff alerts; dismiss or act.

Alerts come grouped by kind and product (or subject), with counts, and one click dismisses a
group; products are named, never given by code."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clinic_shared.auth import Role
from dashboard.accounts.service import SignedIn
from dashboard.clients import Services
from dashboard.deps import CsrfChecked, CurrentUser, ServicesDep, require_roles
from dashboard.i18n import N_, STAFF_ALERT_STATUSES
from dashboard.pages.stock import Manager, StockStaff
from dashboard.web import is_htmx, render

router = APIRouter(tags=["alerts"])
KINDS = {
    "reorder": N_("Reorder"),
    "expiry": N_("Expiring lot"),
    "shortage": N_("Shortage"),
    "recalled_lot_used": N_("Recalled lot used"),
    "order_overdue": N_("Order overdue"),
}
STAFF_KINDS = {
    "reorder_suggested": N_("Reorder suggested"),
    "lot_expiring": N_("Lot expiring"),
    "lot_recalled": N_("Lot recalled"),
    "stock_shortage": N_("Shortage"),
    "message_failed": N_("Message not delivered"),
    "reply_unmatched": N_("SMS reply that matched no session"),
    "reschedule_requested": N_("Patient asked to reschedule"),
    "supplier_order_failed": N_("Order not emailed to its supplier"),
    "supplier_order_cancelled": N_("Order cancelled after it was emailed"),
}
# Notifications lets the desk and stock dismiss staff alerts (stock: its own kinds only).
StaffDismisser = frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.STOCK_MANAGER})
Dismisser = Annotated[SignedIn, Depends(require_roles(*StaffDismisser))]


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
        "staff_alerts": await services.notifications.get("/v1/staff-alerts/groups", limit=50),
        "staff_kinds": STAFF_KINDS,
        "staff_statuses": STAFF_ALERT_STATUSES,
        "product_names": {
            p["code"]: p["name"] for p in await services.inventory.get("/v1/products")
        },
        "can_dismiss": user.account.role in StockStaff,
        "can_dismiss_staff": user.account.role in StaffDismisser,
        "sees_patients": user.account.role in {Role.ADMIN, Role.RECEPTIONIST},
        # a practitioner's failed messages and alerts name only patients of theirs, whose
        # pages they open
        "opens_patients": user.account.role in {Role.ADMIN, Role.RECEPTIONIST, Role.PRACTITIONER},
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
    return await _answer(request, user, services)


@router.post("/alerts/staff/dismissals", response_class=HTMLResponse, response_model=None)
async def dismiss_staff(
    request: Request, user: CsrfChecked, services: ServicesDep, _: Dismisser
) -> Response:
    """Dismiss a group of staff alerts (a kind and subject) at once."""
    form = await request.form()
    body = {"kind": str(form.get("kind", "")), "subject": str(form.get("subject", ""))}
    await services.notifications.post("/v1/staff-alerts/dismissals", body)
    return await _answer(request, user, services)


async def _answer(request: Request, user: SignedIn, services: Services) -> Response:
    if is_htmx(request):
        return render(request, "alerts/_partial.html", await _context(user, services))
    return RedirectResponse("/alerts", status_code=303)
