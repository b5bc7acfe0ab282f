"""The language of a staff account's pages: French or English, or back to the browser's."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from dashboard import i18n
from dashboard.accounts.model import invalid
from dashboard.adapters.accounts import AccountRepository
from dashboard.deps import CurrentUser, DbDep, page_router

router = page_router(tags=["language"])


def back_to(request: Request) -> str:
    """The page the form was sent from, on this host only: never a redirect elsewhere."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc or not referer.path.startswith("/"):
        return "/"
    return referer.path + (f"?{referer.query}" if referer.query else "")


@router.post("/account/language")
async def choose_language(
    request: Request, user: CurrentUser, db: DbDep, language: Annotated[str, Form()] = ""
) -> Response:
    """`language` is one of ours, or empty for the browser's; then back to the same page."""
    if language and language not in i18n.LANGUAGES:
        raise invalid("language", i18n.gettext("Choose a language from the list."))
    await AccountRepository(db).set_language(user.account.id, language or None)
    return RedirectResponse(back_to(request), status_code=303)
