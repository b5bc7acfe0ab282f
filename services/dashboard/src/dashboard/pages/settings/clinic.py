"""Practitioners with their weekly hours, and rooms: scheduling keeps them, the admin edits."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dashboard.clients import ServiceProblem, Services
from dashboard.deps import AdminUser, ServicesDep, page_router
from dashboard.i18n import N_, _
from dashboard.web import render

router = page_router(prefix="/settings", tags=["settings"])
WEEKDAYS = [
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
]
SPARE_ROWS = 3


async def _staff_page(
    request: Request, services: Services, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    practitioners = await services.scheduling.get("/v1/practitioners")
    rooms = await services.scheduling.get("/v1/rooms")
    saved = _("The room is added.") if request.query_params.get("saved") == "room" else None
    page = {"practitioners": practitioners, "rooms": rooms, "saved": saved, **context}
    return render(request, "settings/clinic.html", page, status_code=status_code)


@router.get("/clinic", response_class=HTMLResponse)
async def clinic_page(request: Request, _allowed: AdminUser, services: ServicesDep) -> HTMLResponse:
    return await _staff_page(request, services)


@router.post("/practitioners")
async def create_practitioner(
    request: Request,
    _allowed: AdminUser,
    services: ServicesDep,
    name: Annotated[str, Form(alias="practitioner_name")] = "",
    email: Annotated[str, Form(alias="practitioner_email")] = "",
) -> Response:
    body = {"name": name, "email": email.strip() or None}
    try:
        created = await services.scheduling.post("/v1/practitioners", body)
    except ServiceProblem as exc:
        errors = {f"practitioner_{k}": v for k, v in (exc.fields or {"name": exc.detail}).items()}
        return await _staff_page(request, services, errors=errors, entered=body, status_code=422)
    return RedirectResponse(f"/settings/practitioners/{created['id']}/hours", status_code=303)


@router.post("/rooms")
async def create_room(
    request: Request,
    _allowed: AdminUser,
    services: ServicesDep,
    name: Annotated[str, Form(alias="room_name")] = "",
) -> Response:
    try:
        await services.scheduling.post("/v1/rooms", {"name": name})
    except ServiceProblem as exc:
        errors = {"room_name": exc.fields.get("name", exc.detail)}
        return await _staff_page(request, services, errors=errors, status_code=422)
    return RedirectResponse("/settings/clinic?saved=room", status_code=303)


async def _hours_page(
    request: Request,
    services: Services,
    practitioner_id: uuid.UUID,
    *,
    rows: list[dict[str, Any]] | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    practitioner = await services.scheduling.get(f"/v1/practitioners/{practitioner_id}")
    if rows is None:
        rows = await services.scheduling.get(f"/v1/practitioners/{practitioner_id}/hours")
    rows = [*rows, *({"weekday": "", "start": "", "end": ""} for _ in range(SPARE_ROWS))]
    page = {"practitioner": practitioner, "rows": rows, "weekdays": WEEKDAYS, **context}
    return render(request, "settings/hours.html", page, status_code=status_code)


@router.get("/practitioners/{practitioner_id}/hours", response_class=HTMLResponse)
async def hours_page(
    request: Request, practitioner_id: uuid.UUID, _allowed: AdminUser, services: ServicesDep
) -> HTMLResponse:
    saved = request.query_params.get("saved")
    return await _hours_page(request, services, practitioner_id, saved=saved)


def _entered_rows(form: dict[str, str]) -> list[dict[str, Any]]:
    """The filled rows of the hours form, in order; a row with no day is left out."""
    count = sum(1 for key in form if key.endswith("_weekday"))
    rows = [
        {k: form.get(f"{i}_{k}", "") for k in ("weekday", "start", "end")} for i in range(count)
    ]
    return [r for r in rows if r["weekday"] != ""]


@router.post("/practitioners/{practitioner_id}/hours")
async def save_hours(
    request: Request, practitioner_id: uuid.UUID, _allowed: AdminUser, services: ServicesDep
) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    rows = _entered_rows(form)
    try:
        body = [{**r, "weekday": int(r["weekday"])} for r in rows]
        await services.scheduling.put(f"/v1/practitioners/{practitioner_id}/hours", body)
    except ServiceProblem as exc:
        errors = exc.fields or {"form": exc.detail}
        return await _hours_page(
            request, services, practitioner_id, rows=rows, errors=errors, status_code=422
        )
    return RedirectResponse(
        f"/settings/practitioners/{practitioner_id}/hours?saved=1", status_code=303
    )
