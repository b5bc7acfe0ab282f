"""RFC 9457 problem+json for every error a client can see; never a stack trace."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from clinic_shared.context import correlation_id_var
from clinic_shared.db import database_unavailable
from clinic_shared.errors import AppError

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://errors.clinic.example/"

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` names each invalid field and why.",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "correlation_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "reason"],
                "properties": {"field": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
}
_ERROR_MEANINGS = {
    400: "The request cannot be read (a malformed body, say).",
    401: "No valid bearer token.",
    403: "The token's role may not do this.",
    404: "No such resource, or no such route.",
    405: "The route does not take this method; `Allow` lists the ones it takes.",
    409: "The request conflicts with the resource's current state.",
    422: "A field is invalid: `errors` names each one and why.",
    429: "Too many requests; `Retry-After` says when to try again.",
    503: "The database, the broker or a service it asks is unavailable; nothing was changed.",
}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": meaning, "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}
    for status, meaning in _ERROR_MEANINGS.items()
}
"""The problem+json answers any route may give, declared on every route of the OpenAPI."""


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str,
    instance: str,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if (corr := correlation_id_var.get()) is not None:
        body["correlation_id"] = corr
    body.update(extensions)
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """One entry per invalid field: where it is (`body.phone`) and why."""
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        out.append({"field": ".".join(loc) or "body", "reason": str(err.get("msg", "invalid"))})
    return out


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem(
        exc.status,
        exc.title,
        exc.detail,
        slug=exc.type_slug,
        instance=request.url.path,
        headers=exc.headers(),
        **exc.extensions,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(exc)
    fields = ", ".join(e["field"] for e in errors)
    return problem(
        422,
        "Unprocessable content",
        f"The request is invalid: {fields}.",
        slug="validation-error",
        instance=request.url.path,
        errors=errors,
    )


def _allowed_methods(request: Request) -> str:
    """Every method the OpenAPI gives this path: FastAPI keeps one route per method, and
    Starlette's own `Allow` names only those of the first route that matched."""
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, request.url.path):
            methods |= {method.upper() for method in operations}
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    title = {404: "Not found", 405: "Method not allowed", 413: "Content too large"}.get(
        exc.status_code, "Error"
    )
    return problem(
        exc.status_code,
        title,
        str(exc.detail),
        slug=title.lower().replace(" ", "-"),
        instance=request.url.path,
        headers=headers,
    )


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    # A deadlock, a refused or dropped connection: the whole request was rolled back and
    # retrying is safe. Anything else is a bug.
    handler = _database_unavailable if database_unavailable(exc) else unexpected_error
    return await handler(request, exc)


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable", extra={"error": type(exc).__name__})
    return problem(
        503,
        "Service unavailable",
        "The database could not complete the request; nothing was changed. Try again shortly.",
        slug="service-unavailable",
        instance=request.url.path,
    )


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", extra={"path": request.url.path})
    return problem(
        500,
        "Internal server error",
        "Something went wrong on our side; nothing was changed.",
        slug="internal-error",
        instance=request.url.path,
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(ConnectionError, _database_unavailable)
    app.add_exception_handler(Exception, unexpected_error)
