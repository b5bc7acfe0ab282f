"""Edit a patient: details in scheduling, consent in notifications (whose ledger owns it)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clinic_shared.auth import Role
from dashboard.accounts.service import SignedIn
from dashboard.clients import ServiceProblem, Services
from dashboard.deps import CsrfChecked, ServicesDep, require_roles
from dashboard.pages.patient import preferences_of
from dashboard.web import form_errors, render

router = APIRouter(tags=["patient"])
FrontDesk = Annotated[SignedIn, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST))]
DETAILS = ("first_name", "last_name", "phone", "email", "language", "preferred_channel")
CONSENT = ("consent_sms", "consent_email")
DETAILS_SAVED = "The details were saved; the consent was not changed."


async def _page(
    request: Request, services: Services, patient_id: UUID, **context: Any
) -> HTMLResponse:
    page = {
        "patient": await services.scheduling.get(f"/v1/patients/{patient_id}"),
        "preferences": await preferences_of(services, patient_id),
        "form": None,
    } | context
    status = 422 if context.get("errors") else 200
    return render(request, "patient/edit.html", page, status_code=status)


@router.get("/patients/{patient_id}/edit", response_class=HTMLResponse)
async def edit_page(
    request: Request, user: FrontDesk, services: ServicesDep, patient_id: UUID
) -> HTMLResponse:
    return await _page(request, services, patient_id)


@router.post("/patients/{patient_id}/edit", response_class=HTMLResponse, response_model=None)
async def save_patient(
    request: Request, user: CsrfChecked, services: ServicesDep, _: FrontDesk, patient_id: UUID
) -> Response:
    """Details go to scheduling; a change of consent is a command to notifications, which
    refuses (409) an SMS opt-in after the patient's STOP."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    details: dict[str, Any] = {name: form.get(name, "").strip() or None for name in DETAILS}
    wanted = {name: form.get(name) == "on" for name in CONSENT}
    try:
        patient = await services.scheduling.patch(f"/v1/patients/{patient_id}", details)
    except ServiceProblem as exc:
        return await _page(request, services, patient_id, errors=form_errors(exc), form=form)
    current = await preferences_of(services, patient_id)
    if current is not None and any(current[name] != wanted[name] for name in CONSENT):
        body = {"preferred_channel": patient["preferred_channel"], "language": patient["language"]}
        try:
            await services.notifications.put(
                f"/v1/patients/{patient_id}/preferences", body | wanted
            )
        except ServiceProblem as exc:
            errors = form_errors(exc) | {"form": DETAILS_SAVED}
            return await _page(request, services, patient_id, errors=errors, form=form)
    return RedirectResponse(f"/patients/{patient_id}", status_code=303)
