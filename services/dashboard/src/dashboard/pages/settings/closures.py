"""Time off and closures (admin): listed over eight weeks, added and removed in scheduling, with
the booked sessions they touch, each a click from the agenda's reschedule panel."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dashboard.absences import NOT_A_MOMENT, load_absences, moment, span
from dashboard.clients import ServiceProblem, Services
from dashboard.days import Day
from dashboard.deps import AdminUser, ServicesDep, SettingsDep, page_router
from dashboard.i18n import N_, _, ngettext
from dashboard.web import render

router = page_router(prefix="/settings", tags=["settings"])
PAGE = "/settings/closures"
SAVED = {
    "closure": N_("The closure is recorded."),
    "time_off": N_("The time off is recorded."),
    "removed": N_("Removed."),
    "opened": N_("The clinic opens on that holiday."),
}


async def _page(
    request: Request, services: Services, first: date | None = None, **context: Any
) -> HTMLResponse:
    zone = request.app.state.settings.zone
    first = first or datetime.now(zone).date()
    start, end = span(first, zone)
    absences = await load_absences(services, start, end)
    practitioners = await services.scheduling.get("/v1/practitioners")
    saved = SAVED.get(request.query_params.get("saved", ""))
    page = {
        "absences": absences,
        "first": first,
        "last": (end.date()),
        "practitioners": practitioners,
        "saved": _(saved) if saved else None,
        "entered": {},
    }
    status_code = 422 if context.get("errors") else 200
    return render(request, "settings/closures.html", page | context, status_code=status_code)


@router.get("/closures", response_class=HTMLResponse)
async def closures_page(
    request: Request,
    _user: AdminUser,
    services: ServicesDep,
    first: Annotated[Day | None, Query(alias="from")] = None,
) -> HTMLResponse:
    return await _page(request, services, first)


@router.get("/closures/touched", response_class=HTMLResponse)
async def touched_sessions(
    request: Request,
    _user: AdminUser,
    services: ServicesDep,
    settings: SettingsDep,
    first: Annotated[Day, Query(alias="from")],
) -> HTMLResponse:
    """The touched sessions alone, reloaded when one was moved or cancelled from its panel."""
    absences = await load_absences(services, *span(first, settings.zone))
    return render(request, "settings/_touched.html", {"absences": absences})


def _span_body(
    form: dict[str, str], prefix: str, request: Request
) -> tuple[dict[str, Any], dict[str, str]]:
    """The starts_at, ends_at, reason and force of a `<prefix>_` form, or the fields at fault."""
    zone = request.app.state.settings.zone
    body: dict[str, Any] = {"reason": form.get(f"{prefix}_reason", "").strip()}
    body["force"] = form.get(f"{prefix}_force") == "true"
    errors = {}
    for name in ("starts_at", "ends_at"):
        found = moment(form.get(f"{prefix}_{name}", ""), zone)
        if found is None:
            errors[f"{prefix}_{name}"] = _(NOT_A_MOMENT)
        else:
            body[name] = found.isoformat()
    return body, errors


def _refusal(problem: ServiceProblem, prefix: str) -> tuple[dict[str, str], list[Any]]:
    """Scheduling's refusal beside the form's fields, and the booked sessions in the way."""
    covered = list(problem.body.get("sessions") or [])
    if covered:
        count = len(covered)
        reason = ngettext(
            "%(num)d booked session falls inside it: move or cancel it first, or tick "
            "“Record it anyway” to flag it for the desk.",
            "%(num)d booked sessions fall inside it: move or cancel them first, or tick "
            "“Record it anyway” to flag them for the desk.",
            count,
        ) % {"num": count}
        return {f"{prefix}_force": reason}, covered
    fields = {f"{prefix}_{name}": reason for name, reason in problem.fields.items()}
    return fields or {f"{prefix}_form": problem.detail}, []


async def _add(
    request: Request, services: Services, prefix: str, path: str, saved: str
) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    body, errors = _span_body(form, prefix, request)
    covered: list[Any] = []
    if not errors:
        try:
            await services.scheduling.post(path, body)
        except ServiceProblem as exc:
            errors, covered = _refusal(exc, prefix)
    if errors:
        return await _page(request, services, errors=errors, entered=form, covered=covered)
    return RedirectResponse(f"{PAGE}?saved={saved}", status_code=303)


@router.post("/closures")
async def add_closure(request: Request, _user: AdminUser, services: ServicesDep) -> Response:
    return await _add(request, services, "closure", "/v1/closures", "closure")


@router.post("/time-off")
async def add_time_off(request: Request, _user: AdminUser, services: ServicesDep) -> Response:
    form = await request.form()
    try:
        practitioner = uuid.UUID(str(form.get("practitioner_id", "")))
    except ValueError:
        errors = {"away_practitioner_id": _("Choose one of the practitioners in the list.")}
        entered = {k: v for k, v in form.items() if isinstance(v, str)}
        return await _page(request, services, errors=errors, entered=entered)
    path = f"/v1/practitioners/{practitioner}/time-off"
    return await _add(request, services, "away", path, "time_off")


async def _removed(services: Services, path: str) -> Response:
    await services.scheduling.delete(path)
    return RedirectResponse(f"{PAGE}?saved=removed", status_code=303)


@router.post("/closures/{closure_id}/remove")
async def remove_closure(
    closure_id: uuid.UUID, _user: AdminUser, services: ServicesDep
) -> Response:
    return await _removed(services, f"/v1/closures/{closure_id}")


@router.post("/time-off/{time_off_id}/remove")
async def remove_time_off(
    time_off_id: uuid.UUID, _user: AdminUser, services: ServicesDep
) -> Response:
    return await _removed(services, f"/v1/time-off/{time_off_id}")


@router.post("/holidays/{day}/open")
async def open_holiday(day: Day, _user: AdminUser, services: ServicesDep) -> Response:
    await services.scheduling.put(f"/v1/holidays/{day.isoformat()}", {"open": True})
    return RedirectResponse(f"{PAGE}?saved=opened", status_code=303)
