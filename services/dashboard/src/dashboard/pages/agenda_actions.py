"""The agenda's actions on one session: no-show, cancel, reschedule (the form opens in a panel)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dashboard.accounts.service import SignedIn
from dashboard.agenda import CLINICAL, FRONT_DESK
from dashboard.clients import ServiceProblem, Services
from dashboard.deps import ServicesDep, SettingsDep, page_router, require_roles
from dashboard.i18n import _, ngettext
from dashboard.web import is_htmx, render
from dashboard.wording import closed_day, outcome_error, scheduling_errors, window

router = page_router(prefix="/agenda/sessions/{session_id}", tags=["agenda"])
# as scheduling allows them: the agenda shows each role only its own buttons, and a crafted
# request from another role gets the dashboard's 403, not the service's refusal mid-form
Clinical = Annotated[SignedIn, Depends(require_roles(*CLINICAL))]  # complete, no-show
FrontDesk = Annotated[SignedIn, Depends(require_roles(*FRONT_DESK))]  # cancel, reschedule


async def session_facts(services: Services, session_id: uuid.UUID) -> dict[str, Any]:
    """The session with its course and the patient's name, for an action's panel."""
    session = await services.scheduling.get(f"/v1/sessions/{session_id}")
    course = await services.scheduling.get(f"/v1/courses/{session['course_id']}")
    patient = await services.scheduling.get(f"/v1/patients/{course['patient_id']}")
    name = f"{patient['first_name']} {patient['last_name']}"
    return {"session": session, "course": course, "patient": name}


def done(request: Request, message: str) -> Response:
    """The panel says what happened and the agenda reloads; without htmx, back to the agenda."""
    if not is_htmx(request):
        return RedirectResponse("/", status_code=303)
    headers = {"HX-Trigger": "agenda-changed"}
    return render(request, "agenda/_done.html", {"message": message}, headers=headers)


async def panel(
    request: Request, services: Services, session_id: uuid.UUID, action: str, **extra: Any
) -> HTMLResponse:
    facts = await session_facts(services, session_id)
    return render(request, f"agenda/_{action}.html", facts | extra)


@router.get("/no-show", response_class=HTMLResponse)
async def no_show_form(
    request: Request, session_id: uuid.UUID, _allowed: Clinical, services: ServicesDep
) -> HTMLResponse:
    return await panel(request, services, session_id, "no_show")


@router.post("/no-show")
async def no_show(
    request: Request, session_id: uuid.UUID, _allowed: Clinical, services: ServicesDep
) -> Response:
    try:
        await services.scheduling.post(f"/v1/sessions/{session_id}/no-show")
    except ServiceProblem as exc:
        errors = {"form": outcome_error(exc, request.app.state.settings.zone)}
        return await panel(request, services, session_id, "no_show", errors=errors)
    return done(request, _("The session is marked as a no-show."))


@router.get("/cancel", response_class=HTMLResponse)
async def cancel_form(
    request: Request, session_id: uuid.UUID, _allowed: FrontDesk, services: ServicesDep
) -> HTMLResponse:
    return await panel(request, services, session_id, "cancel")


@router.post("/cancel")
async def cancel(
    request: Request,
    session_id: uuid.UUID,
    _allowed: FrontDesk,
    services: ServicesDep,
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        body = {"reason": reason.strip() or None}
        await services.scheduling.post(f"/v1/sessions/{session_id}/cancel", body)
    except ServiceProblem as exc:
        errors = {"reason": exc.detail} if "reason" in exc.fields else {"form": exc.detail}
        return await panel(request, services, session_id, "cancel", errors=errors)
    return done(request, _("The session is cancelled."))


async def _reschedule_panel(
    request: Request, services: Services, session_id: uuid.UUID, **extra: Any
) -> HTMLResponse:
    found = await services.scheduling.get(f"/v1/sessions/{session_id}/window")
    today = datetime.now(request.app.state.settings.zone).date()
    windows = {
        kind: window(found[kind]["earliest"], found[kind]["latest"], today)
        for kind in ("alone", "shift_following")
    }
    closed = [closed_day(c) for c in found.get("closed", [])]
    return await panel(
        request, services, session_id, "reschedule", windows=windows, closed=closed, **extra
    )


@router.get("/reschedule", response_class=HTMLResponse)
async def reschedule_form(
    request: Request, session_id: uuid.UUID, _allowed: FrontDesk, services: ServicesDep
) -> HTMLResponse:
    return await _reschedule_panel(request, services, session_id)


@router.post("/reschedule")
async def reschedule(
    request: Request,
    session_id: uuid.UUID,
    _allowed: FrontDesk,
    services: ServicesDep,
    settings: SettingsDep,
    starts_at: Annotated[str, Form()] = "",
    shift_following: Annotated[bool, Form()] = False,
) -> Response:
    entered = {"starts_at": starts_at, "shift_following": shift_following}
    try:
        moment = datetime.fromisoformat(starts_at).replace(tzinfo=settings.zone)
    except ValueError:
        errors = {"starts_at": _("Choose a day and a time.")}
        return await _reschedule_panel(request, services, session_id, errors=errors, **entered)
    body = {"starts_at": moment.isoformat(), "shift_following": shift_following}
    try:
        moved = await services.scheduling.post(f"/v1/sessions/{session_id}/reschedule", body)
    except ServiceProblem as exc:
        errors = scheduling_errors(exc)
        return await _reschedule_panel(request, services, session_id, errors=errors, **entered)
    also = len(moved["shifted"])
    if not also:
        return done(request, _("The session is moved."))
    moved_too = ngettext(
        "The session is moved and %(num)d following session moved with it.",
        "The session is moved and %(num)d following sessions moved with it.",
        also,
    )
    return done(request, moved_too % {"num": also})
