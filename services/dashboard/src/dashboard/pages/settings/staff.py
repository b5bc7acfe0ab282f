"""Staff accounts: the admin creates them, deactivates them and resets their passwords."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clinic_shared.auth import Role
from clinic_shared.errors import AppError
from dashboard.accounts import guard, service
from dashboard.accounts.model import invalid
from dashboard.clients import ServiceDown, Services
from dashboard.deps import AdminUser, DbDep, RuntimeDep, ServicesDep, get_runtime, page_router
from dashboard.i18n import N_, _
from dashboard.web import form_errors, render

router = page_router(prefix="/settings", tags=["settings"])
SAVED = {
    "created": N_("The account is created."),
    "deactivated": N_("The account is deactivated; it is signed out everywhere."),
    "reactivated": N_("The account can sign in again."),
    "password": N_("The password is changed; the account is signed out everywhere."),
    "linked": N_("The account's practitioner is changed; it holds from the account's next page."),
}
WARNINGS_SHOWN_FOR = timedelta(days=30)


async def _practitioners(services: Services) -> dict[str, str] | None:
    """Scheduling's practitioners by id (name), or None when scheduling does not answer: the
    accounts stay manageable, only links wait."""
    try:
        found = await services.scheduling.get("/v1/practitioners")
    except ServiceDown:
        return None
    return {str(p["id"]): str(p["name"]) for p in found}


def _chosen(value: str, practitioners: dict[str, str] | None) -> uuid.UUID | None:
    """The practitioner a form names (blank: none), which scheduling must know."""
    if not value.strip():
        return None
    if practitioners is None:
        raise invalid("practitioner_id", _("Scheduling does not answer: link the account later."))
    if value.strip() not in practitioners:
        raise invalid("practitioner_id", _("Choose one of the practitioners in the list."))
    return uuid.UUID(value.strip())


async def _page(
    request: Request,
    db: DbDep,
    services: Services,
    *,
    status_code: int = 200,
    **context: object,
) -> HTMLResponse:
    accounts = await service.list_accounts(db)
    key = request.query_params.get("saved", "")
    saved = _(SAVED[key]) if key in SAVED else None
    since = get_runtime(request).clock() - WARNINGS_SHOWN_FOR
    names = {account.id: account.name for account in accounts}
    warnings = [(names[a.account_id], a) for a in await guard.alerts_since(db, moment=since)]
    page = {
        "accounts": accounts,
        "roles": list(Role),
        "saved": saved,
        "warnings": warnings,
        "warning_days": WARNINGS_SHOWN_FOR.days,
        "practitioners": await _practitioners(services),
        **context,
    }
    return render(request, "settings/staff.html", page, status_code=status_code)


@router.get("", include_in_schema=False)
async def settings_home(_allowed: AdminUser) -> Response:
    return RedirectResponse("/settings/staff", status_code=303)


@router.get("/staff", response_class=HTMLResponse)
async def staff_page(
    request: Request, _allowed: AdminUser, db: DbDep, services: ServicesDep
) -> HTMLResponse:
    return await _page(request, db, services)


@router.post("/staff")
async def create_staff(
    request: Request,
    _allowed: AdminUser,
    db: DbDep,
    runtime: RuntimeDep,
    services: ServicesDep,
    name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    practitioner_id: Annotated[str, Form()] = "",
) -> Response:
    entered = {"name": name, "email": email, "role": role, "practitioner_id": practitioner_id}
    try:
        await service.create_account(
            db,
            name=name,
            email=email,
            role=role,
            password=password,
            now=runtime.clock(),
            practitioner_id=_chosen(practitioner_id, await _practitioners(services)),
        )
    except AppError as exc:
        errors = form_errors(exc)
        return await _page(request, db, services, errors=errors, entered=entered, status_code=422)
    return RedirectResponse("/settings/staff?saved=created", status_code=303)


@router.post("/staff/{account_id}/active")
async def set_active(
    request: Request,
    account_id: uuid.UUID,
    user: AdminUser,
    db: DbDep,
    services: ServicesDep,
    active: Annotated[bool, Form()] = False,
) -> Response:
    if account_id == user.account.id and not active:
        exc = invalid("account", _("You cannot deactivate your own account."))
        return await _page(request, db, services, errors=form_errors(exc), status_code=422)
    await service.set_active(db, account_id=account_id, active=active)
    saved = "reactivated" if active else "deactivated"
    return RedirectResponse(f"/settings/staff?saved={saved}", status_code=303)


@router.post("/staff/{account_id}/password")
async def reset_password(
    request: Request,
    account_id: uuid.UUID,
    _allowed: AdminUser,
    db: DbDep,
    services: ServicesDep,
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        await service.reset_password(db, account_id=account_id, password=password)
    except AppError as exc:
        errors = {f"password_{account_id}": form_errors(exc).get("password", exc.detail)}
        return await _page(request, db, services, errors=errors, status_code=422)
    return RedirectResponse("/settings/staff?saved=password", status_code=303)


@router.post("/staff/{account_id}/practitioner")
async def link_practitioner(
    request: Request,
    account_id: uuid.UUID,
    _allowed: AdminUser,
    db: DbDep,
    services: ServicesDep,
    practitioner_id: Annotated[str, Form()] = "",
) -> Response:
    """Link a practitioner's account to a scheduling practitioner, or unlink it (blank)."""
    try:
        chosen = _chosen(practitioner_id, await _practitioners(services))
        await service.link_practitioner(db, account_id=account_id, practitioner_id=chosen)
    except AppError as exc:
        reason = form_errors(exc).get("practitioner_id", exc.detail)
        errors = {f"practitioner_{account_id}": reason}
        return await _page(request, db, services, errors=errors, status_code=422)
    return RedirectResponse("/settings/staff?saved=linked", status_code=303)
