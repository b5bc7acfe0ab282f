"""The dashboard's own refusals, and how every error is shown to a person in a browser."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from clinic_shared.errors import AppError
from clinic_shared.problems import field_errors, problem
from dashboard.clients import ServiceDown, ServiceProblem
from dashboard.i18n import N_, _
from dashboard.web import is_htmx, render

log = logging.getLogger(__name__)

SERVICE_NAMES = {
    "scheduling": N_("The appointments service"),
    "inventory": N_("The stock service"),
    "notifications": N_("The messages service"),
}


class SignInRequired(Exception):
    """No valid session: go to the sign-in page."""


class NotAllowed(Exception):
    """Signed in, but this role may not open the page."""


class CsrfRefused(Exception):
    """A form or htmx post without the session's CSRF token."""


JSON_PREFIX = "/calendar/api/"  # the calendar's script reads problem+json, not pages
SLUGS = {401: "unauthorized", 403: "forbidden", 404: "not-found", 422: "validation-error"}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith(JSON_PREFIX)


def banner_response(
    request: Request, message: str, status_code: int, **extensions: Any
) -> Response:
    """The message in the layout's banner: a whole page, or for htmx the banner alone; for the
    calendar's script, a problem+json."""
    if wants_json(request):
        slug = SLUGS.get(status_code, "service-unavailable" if status_code >= 500 else "refused")
        title = slug.replace("-", " ").capitalize()
        return problem(
            status_code, title, message, slug=slug, instance=request.url.path, **extensions
        )
    if is_htmx(request):
        headers = {"HX-Retarget": "#banner", "HX-Reswap": "innerHTML"}
        return render(request, "banner.html", {"banner": message}, headers=headers)
    return render(request, "error.html", {"banner": message}, status_code=status_code)


async def _sign_in_required(request: Request, _exc: Exception) -> Response:
    target = "/signin"
    if wants_json(request):
        return banner_response(request, _("Sign in again: the session has ended."), 401)
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _not_allowed(request: Request, _exc: Exception) -> Response:
    return banner_response(request, _("Your role does not give access to this page."), 403)


async def _csrf_refused(request: Request, _exc: Exception) -> Response:
    message = _("This form has expired. Reload the page and try again.")
    return banner_response(request, message, 403)


async def _service_down(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceDown)
    log.warning("service unavailable", extra={"service": exc.service, "reason": exc.reason})
    name = _(SERVICE_NAMES[exc.service]) if exc.service in SERVICE_NAMES else exc.service
    reason = _(exc.reason) + (f" ({exc.status})" if exc.status else "")
    message = _("%(service)s is not answering (%(reason)s). Try again in a moment.") % {
        "service": name,
        "reason": reason,
    }
    return banner_response(request, message, 503)


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceProblem | AppError)
    if isinstance(exc, AppError):
        return banner_response(request, exc.detail, exc.status, **exc.extensions)
    return banner_response(request, exc.detail, exc.status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = _("This page does not exist.") if exc.status_code == 404 else str(exc.detail)
    return banner_response(request, message, exc.status_code)


async def _invalid_address(request: Request, exc: Exception) -> Response:
    if wants_json(request) and isinstance(exc, RequestValidationError):
        errors = field_errors(exc)
        fields = ", ".join(str(e["field"]) for e in errors)
        detail = _("The request is invalid: %(fields)s.") % {"fields": fields}
        return banner_response(request, detail, 422, errors=errors)
    message = _("This page's address is not valid. Go back and try again.")
    return banner_response(request, message, 422)


def install_error_pages(app: FastAPI) -> None:
    """People get pages, not problem+json: these replace the shared JSON handlers."""
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_address)
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(NotAllowed, _not_allowed)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
    app.add_exception_handler(ServiceDown, _service_down)
    app.add_exception_handler(ServiceProblem, _problem)
    app.add_exception_handler(AppError, _problem)
