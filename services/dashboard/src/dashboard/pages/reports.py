"""Reports: utilisation, attendance, course adherence, vials and expiry waste, as charts and
tables over a period and a practitioner, each exported as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clinic_shared.auth import Role
from clinic_shared.errors import NotFound, Unprocessable
from dashboard.accounts.service import SignedIn
from dashboard.clients import ServiceProblem, Services
from dashboard.days import in_reach
from dashboard.deps import ServicesDep, require_roles
from dashboard.i18n import gettext
from dashboard.reports import REPORTS, Report, Shown, cell, csv_cell, shown
from dashboard.web import form_errors, render

router = APIRouter(tags=["reports"])
# The figures the front desk and the clinic's admin steer by; see README (Reports).
ReportStaff = Annotated[SignedIn, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST))]
Text = Annotated[str, Query(max_length=40)]


def _report(slug: str) -> Report:
    if slug not in REPORTS:
        raise NotFound("No such report.")
    return REPORTS[slug]


def _filters(request: Request, from_: str, to: str, practitioner: str) -> dict[str, Any]:
    """The period (this month to today when none is given) and practitioner, with a reason per
    field that cannot be read; each date from 1970 to ten years ahead."""
    today = datetime.now(request.app.state.settings.zone).date()
    chosen = {"from": from_ or today.replace(day=1).isoformat(), "to": to or today.isoformat()}
    errors: dict[str, str] = {}
    for name, text in chosen.items():
        try:
            in_reach(date.fromisoformat(text))
        except ValueError:
            errors[name] = gettext("Enter a date from 1970 to ten years ahead.")
    if practitioner:
        try:
            UUID(practitioner)
        except ValueError:
            errors["practitioner"] = gettext("Choose a practitioner from the list.")
    return chosen | {"practitioner": practitioner, "errors": errors}


async def _ask(services: Services, report: Report, filters: dict[str, Any]) -> Shown:
    params = {"from": filters["from"], "to": filters["to"]}
    if report.by_practitioner and filters["practitioner"]:
        params["practitioner_id"] = filters["practitioner"]
    answer = await getattr(services, report.service).get(report.path, **params)
    names = {}
    if report.slug == "vials":
        names = {t["code"]: t["name"] for t in await services.scheduling.get("/v1/treatments")}
    return shown(report, answer, names)


@router.get("/reports", include_in_schema=False)
async def reports_home(_: ReportStaff) -> RedirectResponse:
    return RedirectResponse("/reports/utilisation", status_code=303)


@router.get("/reports/{slug}", response_class=HTMLResponse)
async def report_page(
    request: Request,
    _: ReportStaff,
    services: ServicesDep,
    slug: str,
    from_: Annotated[str, Query(alias="from", max_length=40)] = "",
    to: Text = "",
    practitioner: Text = "",
) -> HTMLResponse:
    report = _report(slug)
    filters = _filters(request, from_, to, practitioner)
    context: dict[str, Any] = {
        "report": report,
        "reports": REPORTS.values(),
        "filters": filters,
        "errors": filters["errors"],
        "practitioners": await services.scheduling.get("/v1/practitioners"),
        "cell": cell,
        "query": urlencode({k: filters[k] for k in ("from", "to", "practitioner")}),
    }
    if not filters["errors"]:
        try:
            context["shown"] = await _ask(services, report, filters)
        except ServiceProblem as exc:
            context["errors"] = form_errors(exc)
    status = 422 if context["errors"] else 200
    return render(request, "reports/page.html", context, status_code=status)


@router.get("/reports/{slug}/csv", response_class=Response)
async def report_csv(
    request: Request,
    _: ReportStaff,
    services: ServicesDep,
    slug: str,
    from_: Annotated[str, Query(alias="from", max_length=40)] = "",
    to: Text = "",
    practitioner: Text = "",
) -> Response:
    """The report's table as CSV, its header in the reader's language."""
    report = _report(slug)
    filters = _filters(request, from_, to, practitioner)
    if filters["errors"]:
        errors = [{"field": k, "reason": v} for k, v in filters["errors"].items()]
        raise Unprocessable(next(iter(filters["errors"].values())), errors=errors)
    found = await _ask(services, report, filters)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([gettext(c.label) for c in report.columns])
    for row in found.rows:
        writer.writerow([csv_cell(c, row) for c in report.columns])
    name = f"{report.slug}-{filters['from']}-{filters['to']}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
