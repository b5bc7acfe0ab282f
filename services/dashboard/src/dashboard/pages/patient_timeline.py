"""A patient's timeline: sessions, their messages and the lots they consumed, in pages."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from clinic_shared.auth import Role
from dashboard.accounts.service import SignedIn
from dashboard.deps import ServicesDep, require_roles
from dashboard.timeline import timeline
from dashboard.web import render

router = APIRouter(tags=["patient"])
# A practitioner's: scheduling answers a course list of a patient not theirs with its 403.
Reader = Annotated[
    SignedIn, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST, Role.PRACTITIONER))
]


@router.get("/patients/{patient_id}/timeline", response_class=HTMLResponse)
async def patient_timeline(
    request: Request,
    user: Reader,
    services: ServicesDep,
    patient_id: UUID,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    courses = await services.scheduling.get("/v1/courses", patient_id=str(patient_id))
    treatments = {t["code"]: t["name"] for t in await services.scheduling.get("/v1/treatments")}
    messages = await services.notifications.get_all("/v1/messages", patient_id=str(patient_id))
    traced = await services.inventory.get("/v1/traceability", patient_id=str(patient_id))
    products = {p["code"]: p["name"] for p in await services.inventory.get("/v1/products")}
    shown = timeline(courses, treatments, messages, traced["consumptions"], page)
    context = {"timeline": shown, "products": products, "patient_id": patient_id}
    return render(request, "patient/_timeline.html", context)
