"""The dashboard's own refusals, and how every error is shown to a person in a browser."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from clinic_shared.errors import AppError
from dashboard.clients import ServiceDown, ServiceProblem
from dashboard.web import is_htmx, render

log = logging.getLogger(__name__)

SERVICE_NAMES = {
    "scheduling": "The appointments service",
    "inventory": "The stock service",
    "notifications": "The messages service",
}


class SignInRequired(Exception):
    """No valid session: go to the sign-in page."""


class NotAllowed(Exception):
    """Signed in, but this role may not open the page."""


class CsrfRefused(Exception):
    """A form or htmx post without the session's CSRF token."""


def banner_response(request: Request, message: str, status_code: int) -> Response:
    """The message in the layout's banner: a whole page, or for htmx the banner alone."""
    if is_htmx(request):
        headers = {"HX-Retarget": "#banner", "HX-Reswap": "innerHTML"}
        return render(request, "banner.html", {"banner": message}, headers=headers)
    return render(request, "error.html", {"banner": message}, status_code=status_code)


async def _sign_in_required(request: Request, _: Exception) -> Response:
    target = "/signin"
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def _not_allowed(request: Request, _: Exception) -> Response:
    return banner_response(request, "Your role does not give access to this page.", 403)


async def _csrf_refused(request: Request, _: Exception) -> Response:
    message = "This form has expired. Reload the page and try again."
    return banner_response(request, message, 403)


async def _service_down(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceDown)
    log.warning("service unavailable", extra={"service": exc.service, "reason": exc.reason})
    name = SERVICE_NAMES.get(exc.service, exc.service)
    message = f"{name} is not answering ({exc.reason}). Try again in a moment."
    return banner_response(request, message, 503)


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceProblem | AppError)
    status = exc.status
    return banner_response(request, exc.detail, status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = "This page does not exist." if exc.status_code == 404 else str(exc.detail)
    return banner_response(request, message, exc.status_code)


async def _invalid_address(request: Request, _: Exception) -> Response:
    message = "This page's address is not valid. Go back and try again."
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
