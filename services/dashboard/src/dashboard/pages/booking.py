"""Book a course: find or register the patient, propose every date, adjust, book them all."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clinic_shared.auth import Role
from clinic_shared.errors import Unprocessable
from dashboard.accounts.service import SignedIn
from dashboard.clients import ServiceProblem, Services
from dashboard.deps import CsrfChecked, ServicesDep, SettingsDep, require_roles
from dashboard.i18n import _, strftime
from dashboard.pages import plan_rows
from dashboard.web import form_count, form_errors, form_uuid, render

router = APIRouter(tags=["booking"])
FrontDesk = Annotated[SignedIn, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST))]
PATIENT_FIELDS = ("first_name", "last_name", "phone", "email", "language", "preferred_channel")


async def _choices(services: Services) -> dict[str, Any]:
    return {
        "treatments": await services.scheduling.get("/v1/treatments"),
        "practitioners": await services.scheduling.get("/v1/practitioners"),
        "rooms": await services.scheduling.get("/v1/rooms"),
    }


async def _page(
    request: Request, services: Services, patient_id: UUID | None, **context: Any
) -> HTMLResponse:
    patient = None
    if patient_id is not None:
        patient = await services.scheduling.get(f"/v1/patients/{patient_id}")
        context = await _choices(services) | context
    status = 422 if context.get("errors") else 200
    return render(request, "booking/page.html", {"patient": patient, **context}, status_code=status)


@router.get("/book", response_class=HTMLResponse)
async def booking_page(
    request: Request,
    user: FrontDesk,
    services: ServicesDep,
    settings: SettingsDep,
    patient_id: UUID | None = None,
) -> HTMLResponse:
    new = {"language": settings.patient_language}  # the registration form's, preselected
    return await _page(request, services, patient_id, new=new)


@router.get("/book/patients", response_class=HTMLResponse)
async def find_patients(
    request: Request, user: FrontDesk, services: ServicesDep, q: str = ""
) -> HTMLResponse:
    found = await services.scheduling.get("/v1/patients", q=q.strip()[:100], limit=20) if q else []
    return render(request, "booking/_patients.html", {"found": found, "q": q, "link": "/book"})


def _patient_body(form: dict[str, str], language: str) -> dict[str, Any]:
    """Scheduling's new patient from the form; `language`, the clinic's, when none is chosen."""
    body: dict[str, Any] = {name: form.get(name, "").strip() or None for name in PATIENT_FIELDS}
    body["language"] = body["language"] or language
    body["preferred_channel"] = body["preferred_channel"] or "sms"
    body["consent_sms"] = form.get("consent_sms") == "on"
    body["consent_email"] = form.get("consent_email") == "on"
    return body


@router.post("/book/patients", response_class=HTMLResponse, response_model=None)
async def register_patient(
    request: Request,
    user: CsrfChecked,
    services: ServicesDep,
    settings: SettingsDep,
    _allowed: FrontDesk,
) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        body = _patient_body(form, settings.patient_language)
        patient = await services.scheduling.post("/v1/patients", body)
    except ServiceProblem as exc:
        return await _page(request, services, None, errors=form_errors(exc), new=form)
    return RedirectResponse(f"/book?patient_id={patient['id']}", status_code=303)


COURSE_FIELDS = ("treatment_code", "practitioner_id", "sessions_planned")


def _opening(form: Mapping[str, Any]) -> dict[str, Any]:
    """The course the form describes, not yet opened: scheduling's `POST /v1/course-plans`
    proposes its dates and `POST /v1/courses` with `sessions` opens it and books them at once,
    so a plan refused, a booking refused or a receptionist who gives up leaves no empty course
    behind (one would hold the area: a patient has one active course per area)."""
    return {
        "patient_id": str(form.get("patient_id")),
        "treatment_code": str(form.get("treatment_code") or ""),
        "practitioner_id": str(form_uuid(form, "practitioner_id")),
        "sessions_planned": form_count(form, "sessions_planned"),
    }


async def _held_area(
    services: Services, exc: ServiceProblem | Unprocessable, zone: ZoneInfo
) -> dict[str, str]:
    """A course already under way in the area, said by its treatment and dates (scheduling's
    detail names it by its id); empty for any other refusal."""
    if not isinstance(exc, ServiceProblem) or "course_id" not in exc.body:
        return {}
    course = await services.scheduling.get(f"/v1/courses/{exc.body['course_id']}")
    treatments = {t["code"]: t["name"] for t in await services.scheduling.get("/v1/treatments")}
    treatment = treatments.get(course["treatment_code"], course["treatment_code"])
    days = sorted(
        datetime.fromisoformat(s["starts_at"]).astimezone(zone).date()
        for s in course["sessions"]
        if s["status"] != "cancelled"
    )
    if not days:
        reason = _(
            "A course of %(treatment)s is open already, with no session booked: book its "
            "sessions rather than a second course."
        ) % {"treatment": treatment}
    else:
        reason = _(
            "A course of %(treatment)s is under way already, from %(first)s to %(last)s: book its "
            "missing sessions rather than a second course."
        ) % {
            "treatment": treatment,
            "first": strftime(days[0], "%a %d %b %Y"),
            "last": strftime(days[-1], "%a %d %b %Y"),
        }
    return {"treatment_code": reason}


def _past_first_date(form: dict[str, str], zone: ZoneInfo) -> dict[str, str]:
    """`first_date` before today: scheduling would plan from today instead, so it is refused
    here in words."""
    try:
        first = date.fromisoformat(form.get("first_date") or "")
    except ValueError:
        return {}  # empty, or not a date: scheduling names it
    if first < datetime.now(zone).date():
        return {"first_date": _("That date is in the past. Choose today or a later day.")}
    return {}


def _chosen(form: Mapping[str, Any]) -> dict[str, str]:
    """What the booking form had chosen, for it to show again after a refusal; the proposed
    dates' form carries it in hidden fields (its own `room_id` are the rows' rooms)."""
    chosen = {name: str(form.get(name) or "") for name in (*COURSE_FIELDS, "first_date")}
    return chosen | {"room_id": str(form.get("chosen_room_id") or "")}


@router.post("/book/plan", response_class=HTMLResponse)
async def propose_dates(
    request: Request,
    user: CsrfChecked,
    services: ServicesDep,
    settings: SettingsDep,
    _allowed: FrontDesk,
) -> HTMLResponse:
    form = {k: str(v) for k, v in (await request.form()).items()}
    patient_id = form_uuid(form, "patient_id")
    if past := _past_first_date(form, settings.zone):
        return await _page(request, services, patient_id, errors=past, chosen=form)
    try:
        body = _opening(form) | {
            "first_date": form.get("first_date") or None,
            "room_id": form.get("room_id") or None,
        }
        proposed = await services.scheduling.post("/v1/course-plans", body)
    except (ServiceProblem, Unprocessable) as exc:
        errors = await _held_area(services, exc, settings.zone) or form_errors(exc)
        return await _page(request, services, patient_id, errors=errors, chosen=form)
    rows = plan_rows.proposed(proposed, settings.zone)
    return await _page(request, services, patient_id, rows=rows, chosen=form)


@router.post("/book/confirm", response_class=HTMLResponse, response_model=None)
async def book_all(
    request: Request,
    user: CsrfChecked,
    services: ServicesDep,
    settings: SettingsDep,
    _allowed: FrontDesk,
) -> Response:
    form = await request.form()
    patient_id = form_uuid(form, "patient_id")
    rows = plan_rows.submitted(form.getlist("starts_at"), form.getlist("room_id"))
    chosen = _chosen(form)
    try:
        body = _opening(form) | {"sessions": plan_rows.body(rows, settings.zone)}
        await services.scheduling.post("/v1/courses", body)
    except Unprocessable as exc:  # a hidden field altered
        errors = form_errors(exc)
        return await _page(request, services, patient_id, rows=rows, errors=errors, chosen=chosen)
    except (ServiceProblem, plan_rows.RowError) as exc:
        unplaced = plan_rows.mark(rows, exc)
        errors = {
            "form": unplaced or _("Nothing was booked: correct the marked date and book again.")
        }
        return await _page(request, services, patient_id, rows=rows, errors=errors, chosen=chosen)
    return RedirectResponse(f"/patients/{patient_id}?booked={len(rows)}", status_code=303)
