"""Changing a course's prescription from the patient's page: its interval and the vials of each
product per session (scheduling's `PATCH /v1/courses/{id}/prescription`, for the sessions not
yet done). Scheduling lets admins change it, and practitioners for the patients they treat (any
other course is its 403 `not-their-patient`, shown as a refusal)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from dashboard.clients import ServiceProblem, Services
from dashboard.deps import ServicesDep, page_router
from dashboard.i18n import _
from dashboard.pages.patient_courses import Prescriber, back, course_of
from dashboard.prescription import Dose, doses, kits_and_names
from dashboard.web import render

router = page_router(prefix="/patients/{patient_id}/courses/{course_id}", tags=["patient"])
MOST_VIALS = 20  # scheduling's cap on a dose


async def _page(
    request: Request, services: Services, course: dict[str, Any], **context: Any
) -> HTMLResponse:
    code = course["treatment_code"]
    kits, names = await kits_and_names(services, {code})
    adjusted = course["prescription"]["kit_adjustments"]
    rows = doses(kits.get(code, []), adjusted, names)
    shown = {row.product_code for row in rows}
    page = {
        "course": course,
        "doses": rows,
        "others": sorted((n, c) for c, n in names.items() if c not in shown),
        "treatment": await services.scheduling.get(f"/v1/treatments/{code}"),
        "patient": await services.scheduling.get(f"/v1/patients/{course['patient_id']}"),
        "entered": None,
    } | context
    status_code = 422 if page.get("errors") else 200
    return render(request, "patient/prescription.html", page, status_code=status_code)


@router.get("/prescription", response_class=HTMLResponse)
async def prescription_form(
    request: Request, patient_id: UUID, course_id: UUID, _user: Prescriber, services: ServicesDep
) -> HTMLResponse:
    return await _page(request, services, await course_of(services, patient_id, course_id))


def _vials(value: str) -> int | None:
    """A dose typed in the form: None when left empty, -1 when it is not a whole number."""
    value = value.strip()
    if not value:
        return None
    return int(value) if value.isdigit() and int(value) <= MOST_VIALS else -1


def _adjustments(
    form: dict[str, str], rows: list[Dose]
) -> tuple[list[dict[str, Any]], dict[str, str], list[str]]:
    """The doses that differ from the kit's, the fields at fault, and each line's field name."""
    lines, errors, fields = [], {}, []
    typed = [(f"dose_{row.product_code}", row.product_code, row.standard) for row in rows]
    extra = form.get("add_product", "").strip()
    if extra:
        typed.append(("add_quantity", extra, None))
    for name, code, standard in typed:
        vials = _vials(form.get(name, ""))
        if vials == -1:
            errors[name] = _("Enter a whole number of vials, 0 to %(most)s.") % {"most": MOST_VIALS}
        elif vials is not None and vials != standard and (standard is not None or vials > 0):
            lines.append({"product_code": code, "quantity": vials})
            fields.append(name)
    return lines, errors, fields


def _interval(form: dict[str, str], errors: dict[str, str]) -> dict[str, int]:
    body = {}
    for name in ("min_interval_days", "max_interval_days"):
        value = form.get(name, "").strip()
        if value.isdigit() and 1 <= int(value) <= 60:
            body[name] = int(value)
        else:
            errors[name] = _("Enter a number of days, 1 to 60.")
    return body


def _refusal(problem: ServiceProblem, fields: list[str]) -> dict[str, str]:
    """Scheduling's refusal beside the form's fields: a dose's line is its product's field."""
    found = {}
    for name, reason in problem.fields.items():
        parts = name.split("_")
        if name.startswith("kit_adjustments_") and parts[2].isdigit():
            index = int(parts[2])
            name = fields[index] if index < len(fields) else "form"
        found[name] = reason
    return found or {"form": problem.detail}


@router.post("/prescription")
async def change_prescription(
    request: Request, patient_id: UUID, course_id: UUID, _user: Prescriber, services: ServicesDep
) -> Response:
    course = await course_of(services, patient_id, course_id)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    code = course["treatment_code"]
    kits, names = await kits_and_names(services, {code})
    rows = doses(kits.get(code, []), course["prescription"]["kit_adjustments"], names)
    lines, errors, fields = _adjustments(form, rows)
    body: dict[str, Any] = _interval(form, errors) | {"kit_adjustments": lines}
    if not errors:
        try:
            await services.scheduling.patch(f"/v1/courses/{course_id}/prescription", body)
        except ServiceProblem as exc:
            errors = _refusal(exc, fields)
    if errors:
        return await _page(request, services, course, errors=errors, entered=form)
    return back(request, patient_id, done="prescription")


@router.post("/overrides")
async def set_rule_aside(
    request: Request, patient_id: UUID, course_id: UUID, _user: Prescriber, services: ServicesDep
) -> Response:
    """Set one of scheduling's rules aside for this course (the maintenance pause, or the
    contraindications), with the reason, which the patient's page then shows."""
    course = await course_of(services, patient_id, course_id)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    body = {
        "rule": form.get("override_rule", ""),
        "reason": form.get("override_reason", "").strip(),
    }
    try:
        await services.scheduling.post(f"/v1/courses/{course_id}/overrides", body)
    except ServiceProblem as exc:
        errors = {f"override_{name}": reason for name, reason in exc.fields.items()}
        errors = errors or {"form": exc.detail}
        return await _page(request, services, course, errors=errors, entered=form)
    return back(request, patient_id, done="override")
