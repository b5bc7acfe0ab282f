"""`Annotated` dependencies of the pages: the signed-in user, role checks, CSRF, the services."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared.auth import Role
from dashboard import i18n
from dashboard.accounts.service import SignedIn, signed_in
from dashboard.clients import Services
from dashboard.errors import CsrfRefused, NotAllowed, SignInRequired
from dashboard.runtime import DashboardRuntime
from dashboard.settings import DashboardSettings

SESSION_COOKIE = "clinic_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def get_runtime(request: Request) -> DashboardRuntime:
    runtime: DashboardRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[DashboardRuntime, Depends(get_runtime)]


def get_settings(runtime: RuntimeDep) -> DashboardSettings:
    return runtime.settings


SettingsDep = Annotated[DashboardSettings, Depends(get_settings)]


async def db_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """The request's transaction: commits when the page's function returns, rolls back on an
    error. Scoped to the function, so the commit comes before the answer is sent: FastAPI's
    default would commit after it, and a browser following a sign-in's redirect could ask for
    the next page before its session row exists."""
    async with runtime.transaction() as session:
        yield session


DbDep = Annotated[AsyncSession, Depends(db_session, scope="function")]


async def current_user(request: Request, runtime: RuntimeDep) -> SignedIn:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInRequired()
    ttl = timedelta(hours=runtime.settings.session_hours)
    async with runtime.transaction() as session:
        found = await signed_in(session, token=token, now=runtime.clock(), ttl=ttl)
    if found is None:
        raise SignInRequired()
    request.state.signed_in = found
    i18n.current.set(i18n.choose(found.account.language, request.headers.get("accept-language")))
    return found


CurrentUser = Annotated[SignedIn, Depends(current_user)]


def require_roles(*roles: Role) -> Callable[[SignedIn], Awaitable[SignedIn]]:
    """A dependency admitting a signed-in user whose role is one of `roles`."""
    allowed = frozenset(roles)

    async def dependency(user: CurrentUser) -> SignedIn:
        if user.account.role not in allowed:
            raise NotAllowed()
        return user

    return dependency


AdminUser = Annotated[SignedIn, Depends(require_roles(Role.ADMIN))]


async def submitted_csrf(request: Request) -> str:
    """The token an htmx request sends in its header, or a form in its hidden field."""
    if header := request.headers.get(CSRF_HEADER):
        return header
    form = await request.form()
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else ""


async def check_csrf(request: Request, user: CurrentUser) -> SignedIn:
    """Refuse a state-changing request that does not carry the session's CSRF token."""
    if not hmac.compare_digest(await submitted_csrf(request), user.csrf_token):
        raise CsrfRefused()
    return user


CsrfChecked = Annotated[SignedIn, Depends(check_csrf)]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def csrf_guard(request: Request, user: CurrentUser) -> None:
    """Every page router's guard: signed in, and any POST carries the CSRF token."""
    if request.method not in SAFE_METHODS:
        await check_csrf(request, user)


def page_router(**kwargs: Any) -> APIRouter:
    """An APIRouter for a page: its routes need a signed-in user and POSTs the CSRF token."""
    return APIRouter(dependencies=[Depends(csrf_guard)], **kwargs)


def services(user: CurrentUser, runtime: RuntimeDep) -> Services:
    return runtime.clients.for_account(user.account)


ServicesDep = Annotated[Services, Depends(services)]
