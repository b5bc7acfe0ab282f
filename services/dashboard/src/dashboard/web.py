"""Rendering pages and partials: the layout always gets the user, CSRF token and nav."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from clinic_shared.errors import AppError, Unprocessable
from dashboard import i18n
from dashboard.accounts.service import SignedIn
from dashboard.alert_wording import stock_alert_text
from dashboard.clients import ServiceProblem, field_name
from dashboard.nav import links_for
from dashboard.wording import closure_flag, day, session_name

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
)


def _local(value: str | datetime | None, fmt: str = "%a %d %b %H:%M") -> str:
    """An ISO datetime from a service, shown in the clinic's time zone."""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    zone: ZoneInfo = templates.env.globals["clinic_zone"]  # type: ignore[assignment]
    return i18n.strftime(moment.astimezone(zone), fmt)


templates.env.filters["local"] = _local
templates.env.filters["dated"] = i18n.strftime
templates.env.globals["role_names"] = i18n.ROLE_NAMES
templates.env.globals["lot_statuses"] = i18n.LOT_STATUSES
templates.env.globals["session_statuses"] = i18n.SESSION_STATUSES
templates.env.globals["course_statuses"] = i18n.COURSE_STATUSES
templates.env.globals["message_kinds"] = i18n.MESSAGE_KINDS
templates.env.globals["message_statuses"] = i18n.MESSAGE_STATUSES
templates.env.globals["channels"] = i18n.CHANNELS
templates.env.filters["day"] = day
templates.env.filters["session_name"] = session_name
templates.env.filters["stock_alert_text"] = stock_alert_text
templates.env.filters["closure_flag"] = closure_flag
templates.env.globals["clinic_zone"] = ZoneInfo("Europe/Paris")


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """`template` with the layout's context: who is signed in, their nav, the CSRF token."""
    signed_in: SignedIn | None = getattr(request.state, "signed_in", None)
    base: dict[str, Any] = {
        "user": signed_in.account if signed_in else None,
        "nav": links_for(signed_in.account.role) if signed_in else [],
        "csrf_token": signed_in.csrf_token if signed_in else "",
        "refresh_seconds": request.app.state.settings.refresh_seconds,
        "errors": {},
        "lang": i18n.current.get(),
        "languages": i18n.LANGUAGES,
    }
    return templates.TemplateResponse(
        request, template, base | (context or {}), status_code=status_code, headers=headers
    )


def form_errors(exc: ServiceProblem | AppError) -> dict[str, str]:
    """Field name -> reason, from a service's problem or one of the dashboard's own errors."""
    if isinstance(exc, ServiceProblem):
        return exc.fields or {"form": exc.detail}
    listed = exc.extensions.get("errors") or []
    fields = {field_name(str(e["field"])): str(e["reason"]) for e in listed}
    return fields or {"form": exc.detail}


FORM_ALTERED = i18n.N_("This form was changed or is incomplete. Reload the page and try again.")


def form_uuid(form: Mapping[str, Any], name: str) -> UUID:
    """An id the page itself put in a hidden field: anything else means the form was altered."""
    try:
        return UUID(str(form[name]))
    except (KeyError, ValueError) as exc:
        raise Unprocessable(i18n.gettext(FORM_ALTERED)) from exc


def form_count(form: Mapping[str, Any], name: str) -> int | None:
    """A whole number typed in a form, or None when the field is empty."""
    value = str(form.get(name) or "").strip()
    if not value:
        return None
    if not value.isdigit():
        reason = i18n.gettext("Enter a whole number.")
        raise Unprocessable(
            i18n.gettext("A number is needed."), errors=[{"field": name, "reason": reason}]
        )
    return int(value)
