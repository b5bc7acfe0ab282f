"""A course's actions from the patient's page: book its missing sessions, extend or shorten
it, accept its broken interval, abandon it in one step."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clinic_shared.auth import Role
from clinic_shared.errors import Unprocessable
from dashboard.accounts.service import SignedIn
from dashboard.clients import ServiceProblem, Services
from dashboard.deps import ServicesDep, page_router, require_roles
from dashboard.i18n import _
from dashboard.pages import plan_rows
from dashboard.pages.patient import at_desk
from dashboard.web import form_count, is_htmx, render

router = page_router(prefix="/patients/{patient_id}/courses/{course_id}", tags=["patient"])
FrontDesk = Annotated[SignedIn, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST))]
# The session count is the prescription's, the practitioner's clinical decision: scheduling lets
# practitioners (of their own patients' courses) and admins change it.
Prescriber = Annotated[SignedIn, Depends(require_roles(Role.ADMIN, Role.PRACTITIONER))]


async def course_of(services: Services, patient_id: UUID, course_id: UUID) -> dict[str, Any]:
    """The course, when it is this patient's: a 404 otherwise, as for an unknown one."""
    course: dict[str, Any] = await services.scheduling.get(f"/v1/courses/{course_id}")
    if course["patient_id"] != str(patient_id):
        raise HTTPException(404)
    return course


def back(request: Request, patient_id: UUID, **notice: Any) -> Response:
    """To the patient's page, which says what happened (htmx follows HX-Redirect)."""
    query = "&".join(f"{k}={v}" for k, v in notice.items())
    url = f"/patients/{patient_id}" + (f"?{query}" if query else "")
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


async def refused(
    request: Request, services: Services, patient_id: UUID, exc: ServiceProblem, words: str = ""
) -> HTMLResponse:
    """The patient's page with the service's refusal above it (or `words` for it)."""
    patient = await services.scheduling.get(f"/v1/patients/{patient_id}")
    page = {"patient": patient, "booked": 0, "done": "", "refusal": words or exc.detail}
    page["desk"] = at_desk(request)
    return render(request, "patient/page.html", page, status_code=exc.status)


async def act(
    request: Request, services: Services, patient_id: UUID, course_id: UUID, action: str
) -> Response:
    await course_of(services, patient_id, course_id)
    try:
        await services.scheduling.post(f"/v1/courses/{course_id}/{action}")
    except ServiceProblem as exc:
        return await refused(request, services, patient_id, exc)
    return back(request, patient_id, done=action)


@router.post("/abandon")
async def abandon(
    request: Request, patient_id: UUID, course_id: UUID, _allowed: FrontDesk, services: ServicesDep
) -> Response:
    """Stop the course and cancel its upcoming sessions, as one action of scheduling's."""
    return await act(request, services, patient_id, course_id, "abandon")


@router.post("/accept-gaps")
async def accept_gaps(
    request: Request, patient_id: UUID, course_id: UUID, _allowed: FrontDesk, services: ServicesDep
) -> Response:
    return await act(request, services, patient_id, course_id, "accept-gaps")


@router.post("/sessions")
async def change_session_count(
    request: Request,
    patient_id: UUID,
    course_id: UUID,
    _allowed: Prescriber,
    services: ServicesDep,
    sessions_planned: Annotated[str, Form()] = "",
) -> Response:
    """Extend or shorten the course: its prescription's session count, the rest unchanged."""
    await course_of(services, patient_id, course_id)
    count = form_count({"sessions_planned": sessions_planned}, "sessions_planned")
    if count is None:
        raise Unprocessable(
            _("Enter the number of sessions."),
            errors=[{"field": "sessions_planned", "reason": _("Enter a whole number.")}],
        )
    try:
        await services.scheduling.patch(
            f"/v1/courses/{course_id}/prescription", {"sessions_planned": count}
        )
    except ServiceProblem as exc:
        reason = exc.fields.get("sessions_planned")
        words = (
            _("The number of sessions was not changed: %(reason)s") % {"reason": reason}
            if reason
            else ""
        )
        return await refused(request, services, patient_id, exc, words)
    return back(request, patient_id, done="sessions")


async def repair_page(
    request: Request, services: Services, course: dict[str, Any], **context: Any
) -> HTMLResponse:
    treatment = await services.scheduling.get(f"/v1/treatments/{course['treatment_code']}")
    page = {
        "course": course,
        "treatment": treatment["name"],
        "patient": await services.scheduling.get(f"/v1/patients/{course['patient_id']}"),
        "rooms": await services.scheduling.get("/v1/rooms"),
        "error": None,
    } | context
    status = 422 if page["error"] or any(r.error for r in page.get("rows", [])) else 200
    return render(request, "patient/repair.html", page, status_code=status)


@router.get("/repair", response_class=HTMLResponse)
async def repair_form(
    request: Request, patient_id: UUID, course_id: UUID, _allowed: FrontDesk, services: ServicesDep
) -> HTMLResponse:
    """Scheduling's plan proposes exactly the missing sessions, in the course's gaps first."""
    course = await course_of(services, patient_id, course_id)
    try:
        plan = await services.scheduling.post(f"/v1/courses/{course_id}/plan", {})
    except ServiceProblem as exc:
        no_slot = "window" in exc.body  # no acceptable slot: the waitlist may find one
        return await repair_page(request, services, course, error=exc.detail, no_slot=no_slot)
    rows = plan_rows.proposed(plan, request.app.state.settings.zone)
    return await repair_page(request, services, course, rows=rows)


@router.post("/waitlist")
async def join_waitlist(
    request: Request, patient_id: UUID, course_id: UUID, _: FrontDesk, services: ServicesDep
) -> Response:
    """Put the course on the waitlist: a time freed in its window is offered to the patient."""
    await course_of(services, patient_id, course_id)
    try:
        await services.scheduling.post("/v1/waitlist", {"course_id": str(course_id)})
    except ServiceProblem as exc:
        return await refused(request, services, patient_id, exc)
    return back(request, patient_id, done="waitlist")


@router.post("/repair", response_class=HTMLResponse, response_model=None)
async def repair(
    request: Request, patient_id: UUID, course_id: UUID, _allowed: FrontDesk, services: ServicesDep
) -> Response:
    """Book every row, or none of them; a refusal is shown beside its row."""
    form = await request.form()
    rows = plan_rows.submitted(form.getlist("starts_at"), form.getlist("room_id"))
    course = await course_of(services, patient_id, course_id)
    try:
        if not rows:
            raise plan_rows.RowError(-1, _("There is no session to book."))
        sessions = plan_rows.body(rows, request.app.state.settings.zone)
        await services.scheduling.post(f"/v1/courses/{course_id}/book-plan", {"sessions": sessions})
    except (ServiceProblem, plan_rows.RowError) as exc:
        error = plan_rows.mark(rows, exc)
        return await repair_page(request, services, course, rows=rows, error=error)
    return back(request, patient_id, booked=len(rows))
