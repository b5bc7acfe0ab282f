"""The waitlist: the courses waiting for a freed time, first joined first, with their offers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from clinic_shared.auth import Role
from dashboard.accounts.service import SignedIn
from dashboard.deps import ServicesDep, require_roles
from dashboard.i18n import N_
from dashboard.web import render

router = APIRouter(tags=["waitlist"])
FrontDesk = Annotated[SignedIn, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST))]
STATES = {
    "open": N_("offered"),
    "accepted": N_("accepted"),
    "taken": N_("taken by another patient"),
    "expired": N_("expired"),
}


@router.get("/waitlist", response_class=HTMLResponse)
async def waitlist_page(request: Request, _: FrontDesk, services: ServicesDep) -> HTMLResponse:
    waiting: list[dict[str, Any]] = await services.scheduling.get("/v1/waitlist")
    patients = {
        w["patient_id"]: await services.scheduling.get(f"/v1/patients/{w['patient_id']}")
        for w in waiting
    }
    context = {"waiting": waiting, "patients": patients, "states": STATES}
    return render(request, "waitlist/page.html", context)
