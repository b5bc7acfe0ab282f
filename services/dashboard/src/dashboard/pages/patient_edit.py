"""Edit a patient: details, allergies and contraindications in scheduling; consent in
notifications (whose ledger owns it)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clinic_shared.auth import Role
from dashboard.accounts.service import SignedIn
from dashboard.clients import ServiceProblem, Services
from dashboard.deps import CsrfChecked, ServicesDep, require_roles
from dashboard.i18n import N_, _
from dashboard.pages.patient import preferences_of
from dashboard.web import form_errors, render

router = APIRouter(tags=["patient"])
FrontDesk = Annotated[SignedIn, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST))]
DETAILS = ("first_name", "last_name", "phone", "email", "language", "preferred_channel")
CONSENT = ("consent_sms", "consent_email")
CONDITIONS = ("allergies", "contraindications")
DETAILS_SAVED = N_("The details were saved; the consent was not changed.")
CONDITIONS_REFUSED = N_("The details were saved; the allergies and contraindications were not.")


def listed(text: str) -> list[str]:
    """One entry a line, as typed in a text box; blank lines dropped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def same_entries(typed: list[str], recorded: list[str]) -> bool:
    """As scheduling keeps them: trimmed, in lower case, once each."""
    return sorted({t.lower() for t in typed}) == sorted(recorded)


def box_of(field: str) -> str:
    """`allergies_3` (the body's allergies.3) is the allergies box."""
    return next((name for name in CONDITIONS if field.startswith(name)), field)


async def save_conditions(
    services: Services, patient_id: UUID, form: dict[str, str]
) -> dict[str, str]:
    """Record the allergies and contraindications when they changed; the refusal's fields."""
    wanted = {name: listed(form.get(name, "")) for name in CONDITIONS}
    current = await services.scheduling.get(f"/v1/patients/{patient_id}/conditions")
    if all(same_entries(wanted[name], current[name]) for name in CONDITIONS):
        return {}
    try:
        await services.scheduling.put(f"/v1/patients/{patient_id}/conditions", wanted)
    except ServiceProblem as exc:
        return {box_of(k): v for k, v in form_errors(exc).items()} | {"form": _(CONDITIONS_REFUSED)}
    return {}


async def _page(
    request: Request, services: Services, patient_id: UUID, **context: Any
) -> HTMLResponse:
    page = {
        "patient": await services.scheduling.get(f"/v1/patients/{patient_id}"),
        "preferences": await preferences_of(services, patient_id),
        "conditions": await services.scheduling.get(f"/v1/patients/{patient_id}/conditions"),
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
    request: Request,
    user: CsrfChecked,
    services: ServicesDep,
    _allowed: FrontDesk,
    patient_id: UUID,
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
    refused = await save_conditions(services, patient_id, form)
    if refused:
        return await _page(request, services, patient_id, errors=refused, form=form)
    current = await preferences_of(services, patient_id)
    if current is not None and any(current[name] != wanted[name] for name in CONSENT):
        body = {"preferred_channel": patient["preferred_channel"], "language": patient["language"]}
        try:
            await services.notifications.put(
                f"/v1/patients/{patient_id}/preferences", body | wanted
            )
        except ServiceProblem as exc:
            errors = form_errors(exc) | {"form": _(DETAILS_SAVED)}
            return await _page(request, services, patient_id, errors=errors, form=form)
    return RedirectResponse(f"/patients/{patient_id}", status_code=303)
