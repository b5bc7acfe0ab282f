"""After signing in: the owner hears of wrong passwords that made their account's sign-ins wait."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dashboard.accounts import guard
from dashboard.deps import CurrentUser, DbDep, RuntimeDep, page_router
from dashboard.web import render

NOTICE_PATH = "/signin/notice"
router = page_router(tags=["sign-in"])


@router.get(NOTICE_PATH, response_class=HTMLResponse)
async def notice_page(request: Request, user: CurrentUser, db: DbDep) -> Response:
    alert = await guard.untold_alert(db, account_id=user.account.id)
    if alert is None:
        return RedirectResponse("/", status_code=303)
    return render(request, "signin/notice.html", {"alert": alert})


@router.post(NOTICE_PATH)
async def notice_read(user: CurrentUser, db: DbDep, runtime: RuntimeDep) -> Response:
    """The owner has read the notice: it is not shown again; admins see that they have."""
    await guard.tell_owner(db, account_id=user.account.id, now=runtime.clock())
    return RedirectResponse("/", status_code=303)
