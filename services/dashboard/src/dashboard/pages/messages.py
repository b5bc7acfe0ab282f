"""The message log across patients: filtered by status, channel and days (due until today
unless asked otherwise), paged, newest first;
a failed message can be sent again. The desk's page: messages are about patients, a stock
manager sees none, and a practitioner's reading of patients is narrowed to their own, which
notifications cannot tell apart (SECURITY.md). No text is shown: none is stored."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clinic_shared.auth import Role
from dashboard.accounts.service import SignedIn
from dashboard.clients import Services
from dashboard.days import MaybeDay
from dashboard.deps import CsrfChecked, ServicesDep, SettingsDep, require_roles
from dashboard.i18n import N_
from dashboard.web import is_htmx, render

router = APIRouter(tags=["messages"])
Desk = Annotated[SignedIn, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST))]
PAGE_SIZE = 50
Shown = Literal["", "failed", "cancelled", "deferred", "expired"]
SHOWN = {
    "failed": N_("Failed"),
    "cancelled": N_("Cancelled"),
    "deferred": N_("Deferred for quiet hours"),
    "expired": N_("Expired"),
}


def _filters(
    status: Shown, channel: str, from_day: date | None, to_day: date | None, page: int
) -> dict[str, Any]:
    """Notifications' query for this page of the log (one row more, to know of a next page)."""
    query: dict[str, Any] = {
        "status": status if status and status != "deferred" else None,
        "deferred": "true" if status == "deferred" else None,
        "channel": channel or None,
        "from_day": from_day.isoformat() if from_day else None,
        "to_day": to_day.isoformat() if to_day else None,
    }
    paging = {"limit": PAGE_SIZE + 1, "offset": (page - 1) * PAGE_SIZE, "newest_first": "true"}
    return query | paging


async def _names(services: Services, messages: list[dict[str, Any]]) -> dict[str, str]:
    """Each listed message's patient's name, in one request (a page lists at most
    `PAGE_SIZE` messages, scheduling answers at most 50 patients by id). An erased patient's
    name is gone: left out, and the log says "erased"."""
    ids = sorted({m["patient_id"] for m in messages})
    if not ids:
        return {}
    found = await services.scheduling.get("/v1/patients", id=ids, limit=len(ids))
    return {p["id"]: f"{p['first_name']} {p['last_name']}" for p in found if not p["erased_at"]}


@router.get("/messages", response_class=HTMLResponse)
async def message_log(
    request: Request,
    user: Desk,
    services: ServicesDep,
    settings: SettingsDep,
    status: Shown = "",
    channel: Literal["", "sms", "email"] = "",
    from_day: Annotated[MaybeDay, Query()] = None,
    to_day: Annotated[MaybeDay, Query()] = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    done: Literal["", "resent"] = "",
) -> HTMLResponse:
    # Opened without an end day, the log ends today: newest first would open on the reminders
    # of sessions weeks ahead. An end day cleared in the form (`to_day=`) means no end.
    unbounded = "to_day" in request.query_params and to_day is None
    if "to_day" not in request.query_params:
        to_day = datetime.now(settings.zone).date()
    query = _filters(status, channel, from_day, to_day, page)
    found = await services.notifications.get("/v1/messages", **query)
    shown = found[:PAGE_SIZE]
    filters = {"status": status, "channel": channel, "from_day": from_day, "to_day": to_day}
    given = {k: str(v) for k, v in filters.items() if v} | ({"to_day": ""} if unbounded else {})

    def link(n: int, **changed: str) -> str:
        return "/messages?" + urlencode(given | changed | ({"page": str(n)} if n > 1 else {}))

    context = {
        "messages": shown,
        "names": await _names(services, shown),
        "filters": filters,
        "here": link(page),
        "statuses": SHOWN,
        "page": page,
        "previous_page": link(page - 1) if page > 1 else None,
        "next_page": link(page + 1) if len(found) > PAGE_SIZE else None,
        "done": done,
        "later": None if unbounded else link(1, to_day=""),
    }
    return render(request, "messages/page.html", context)


@router.post("/messages/{message_id}/resend", response_class=HTMLResponse, response_model=None)
async def resend(
    request: Request, user: CsrfChecked, services: ServicesDep, _: Desk, message_id: UUID
) -> Response:
    """Queue the failed message again; back to the log's same page, which lists it scheduled."""
    back = str((await request.form()).get("back", ""))
    await services.notifications.post(f"/v1/messages/{message_id}/resend")
    # only this page of this site: never a link elsewhere
    target = back if back.startswith("/messages") else "/messages"
    target += ("&" if "?" in target else "?") + "done=resent"
    if is_htmx(request):
        return HTMLResponse("", headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
