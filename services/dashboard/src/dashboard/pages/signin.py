"""Sign in and sign out."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clinic_shared.errors import TooManyRequests
from clinic_shared.ratelimit import StoredRateLimiter, client_address
from dashboard.accounts import guard
from dashboard.accounts.service import SignInRefused, sign_in, sign_out
from dashboard.deps import CSRF_FIELD, SESSION_COOKIE, CsrfChecked, DbDep, RuntimeDep
from dashboard.errors import CsrfRefused
from dashboard.i18n import _
from dashboard.pages.signin_notice import NOTICE_PATH
from dashboard.web import render

router = APIRouter(tags=["sign-in"])
TOO_MANY_SIGN_INS = "Too many sign-in attempts."
# Before sign-in there is no session to hold a CSRF token: the form's token must match a cookie,
# and be one this server issued (signed, and at most SIGNIN_CSRF_MAX_AGE old), so a cookie a
# client makes up, or plants for another browser, is not enough.
SIGNIN_CSRF_COOKIE = "clinic_signin_csrf"
# A random id for the browser, given at a successful sign-in: a right password from a browser
# that signed in before is not slowed by the delays others' wrong passwords cause.
DEVICE_COOKIE = "clinic_device"
SIGNIN_CSRF_MAX_AGE = timedelta(hours=2)


def _key(runtime: RuntimeDep) -> bytes:
    secret = runtime.settings.jwt_secret.get_secret_value().encode()
    return hmac.new(secret, b"dashboard sign-in csrf", hashlib.sha256).digest()


def issue_signin_token(key: bytes, now: datetime) -> str:
    """A random nonce and the time of issue, signed with the server's key."""
    claim = f"{secrets.token_urlsafe(24)}.{int(now.timestamp())}"
    signature = hmac.new(key, claim.encode(), hashlib.sha256).hexdigest()
    return f"{claim}.{signature}"


def issued_here(token: str, key: bytes, now: datetime) -> bool:
    """Whether this server signed `token`, less than SIGNIN_CSRF_MAX_AGE ago."""
    claim, _, signature = token.rpartition(".")
    issued = claim.rpartition(".")[2]
    if not issued.isdigit():
        return False
    expected = hmac.new(key, claim.encode(), hashlib.sha256).hexdigest()
    age = now.timestamp() - int(issued)
    return hmac.compare_digest(signature, expected) and 0 <= age <= (
        SIGNIN_CSRF_MAX_AGE.total_seconds()
    )


def _form(
    request: Request, runtime: RuntimeDep, *, status_code: int = 200, **context: object
) -> HTMLResponse:
    key, now = _key(runtime), runtime.clock()
    token = request.cookies.get(SIGNIN_CSRF_COOKIE, "")
    if not issued_here(token, key, now):
        token = issue_signin_token(key, now)
    response = render(request, "signin/signin.html", {"signin_csrf": token, **context})
    response.status_code = status_code
    response.set_cookie(
        SIGNIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=runtime.settings.secure_cookies,
    )
    return response


@router.get("/signin", response_class=HTMLResponse)
async def signin_page(request: Request, runtime: RuntimeDep) -> HTMLResponse:
    return _form(request, runtime)


@router.post("/signin", response_class=HTMLResponse)
async def signin(
    request: Request,
    runtime: RuntimeDep,
    db: DbDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD)] = "",
) -> Response:
    expected = request.cookies.get(SIGNIN_CSRF_COOKIE, "")
    if (
        not expected
        or not hmac.compare_digest(csrf_token, expected)
        or not issued_here(expected, _key(runtime), runtime.clock())
    ):
        raise CsrfRefused()
    by_address: StoredRateLimiter = request.app.state.signin_by_address
    failures: StoredRateLimiter = request.app.state.signin_failures
    settings, now, address = runtime.settings, runtime.clock(), client_address(request)
    device, known = request.cookies.get(DEVICE_COOKIE, ""), settings.signin_known_for
    try:
        await by_address.hit(address)
        # Its own short read, so the request holds no connection while it queues for the count.
        async with runtime.transaction() as session:
            lane = await guard.lane_for(
                session, email=email, device=device, address=address, now=now, known=known
            )
        # Counted before the password is checked, so concurrent guesses cannot all slip past
        # the delay; the right password then clears the lane's count: only wrong ones remain.
        tried = await failures.hit(lane.key)
    except TooManyRequests as exc:
        wait = _("Too many sign-in attempts. Try again in %(seconds)s s.") % {
            "seconds": exc.retry_after_seconds
        }
        refused = _form(request, runtime, status_code=429, errors={"form": wait}, email=email)
        refused.headers.update(exc.headers())
        return refused
    ttl = timedelta(hours=settings.session_hours)
    try:
        token, signed = await sign_in(db, email=email, password=password, now=now, ttl=ttl)
    except SignInRefused as exc:
        await guard.record_failure(db, lane=lane, tried=tried, delays=settings.signin_delays)
        errors = {"password": exc.detail}
        return _form(request, runtime, status_code=401, errors=errors, email=email)
    await failures.forget(lane.key, db)
    account_id = signed.account.id
    device = await guard.remember_sign_in(
        db, account_id=account_id, device=device, address=address, now=now, known=known
    )
    told = await guard.untold_alert(db, account_id=account_id) is None
    return _signed_in(runtime, token=token, device=device, then="/" if told else NOTICE_PATH)


def _signed_in(runtime: RuntimeDep, *, token: str, device: str, then: str) -> Response:
    """On to `then`, with the session's cookie and the device's long-lived one."""
    settings = runtime.settings
    response = RedirectResponse(then, status_code=303)
    lasting = {
        SESSION_COOKIE: (token, timedelta(hours=settings.session_hours)),
        DEVICE_COOKIE: (device, timedelta(days=settings.signin_known_device_days)),
    }
    for name, (value, lasts) in lasting.items():
        response.set_cookie(
            name,
            value,
            max_age=int(lasts.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
        )
    response.delete_cookie(SIGNIN_CSRF_COOKIE)
    return response


@router.post("/signout")
async def signout(request: Request, db: DbDep, _allowed: CsrfChecked) -> Response:
    await sign_out(db, token=request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
