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
from dashboard.deps import AdminUser, DbDep, RuntimeDep, get_runtime, page_router
from dashboard.web import form_errors, render

router = page_router(prefix="/settings", tags=["settings"])
SAVED = {
    "created": "The account is created.",
    "deactivated": "The account is deactivated; it is signed out everywhere.",
    "reactivated": "The account can sign in again.",
    "password": "The password is changed; the account is signed out everywhere.",
}
WARNINGS_SHOWN_FOR = timedelta(days=30)


async def _page(
    request: Request, db: DbDep, *, status_code: int = 200, **context: object
) -> HTMLResponse:
    accounts = await service.list_accounts(db)
    saved = SAVED.get(request.query_params.get("saved", ""))
    since = get_runtime(request).clock() - WARNINGS_SHOWN_FOR
    names = {account.id: account.name for account in accounts}
    warnings = [(names[a.account_id], a) for a in await guard.alerts_since(db, moment=since)]
    page = {
        "accounts": accounts,
        "roles": list(Role),
        "saved": saved,
        "warnings": warnings,
        "warning_days": WARNINGS_SHOWN_FOR.days,
        **context,
    }
    return render(request, "settings/staff.html", page, status_code=status_code)


@router.get("", include_in_schema=False)
async def settings_home(_: AdminUser) -> Response:
    return RedirectResponse("/settings/staff", status_code=303)


@router.get("/staff", response_class=HTMLResponse)
async def staff_page(request: Request, _: AdminUser, db: DbDep) -> HTMLResponse:
    return await _page(request, db)


@router.post("/staff")
async def create_staff(
    request: Request,
    _: AdminUser,
    db: DbDep,
    runtime: RuntimeDep,
    name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    entered = {"name": name, "email": email, "role": role}
    try:
        await service.create_account(
            db, name=name, email=email, role=role, password=password, now=runtime.clock()
        )
    except AppError as exc:
        return await _page(request, db, errors=form_errors(exc), entered=entered, status_code=422)
    return RedirectResponse("/settings/staff?saved=created", status_code=303)


@router.post("/staff/{account_id}/active")
async def set_active(
    request: Request,
    account_id: uuid.UUID,
    user: AdminUser,
    db: DbDep,
    active: Annotated[bool, Form()] = False,
) -> Response:
    if account_id == user.account.id and not active:
        exc = invalid("account", "You cannot deactivate your own account.")
        return await _page(request, db, errors=form_errors(exc), status_code=422)
    await service.set_active(db, account_id=account_id, active=active)
    saved = "reactivated" if active else "deactivated"
    return RedirectResponse(f"/settings/staff?saved={saved}", status_code=303)


@router.post("/staff/{account_id}/password")
async def reset_password(
    request: Request,
    account_id: uuid.UUID,
    _: AdminUser,
    db: DbDep,
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        await service.reset_password(db, account_id=account_id, password=password)
    except AppError as exc:
        errors = {f"password_{account_id}": form_errors(exc).get("password", exc.detail)}
        return await _page(request, db, errors=errors, status_code=422)
    return RedirectResponse("/settings/staff?saved=password", status_code=303)
