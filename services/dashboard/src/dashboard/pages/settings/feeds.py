"""Practitioners' calendar feeds (admin): each practitioner's secret feed URL, kept by
scheduling (made on first asking), to paste into a calendar app, and a new one on demand, which
stops the old one at once."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dashboard.clients import Services
from dashboard.deps import AdminUser, ServicesDep, page_router
from dashboard.i18n import _
from dashboard.web import render

router = page_router(prefix="/settings", tags=["settings"])
PAGE = "/settings/feeds"


async def _with_url(services: Services, practitioner: dict[str, Any]) -> dict[str, Any]:
    feed = await services.scheduling.get(f"/v1/practitioners/{practitioner['id']}/feed")
    return practitioner | {"feed_url": feed["url"]}


def _rotated_notice(practitioners: list[dict[str, Any]], rotated: str | None) -> str | None:
    """What the page says after a new URL was made: whose, and that the old one is dead."""
    name = next((p["name"] for p in practitioners if p["id"] == rotated), None)
    if name is None:
        return None
    return _(
        "%(name)s has a new feed URL, shown below: the old one no longer works. Subscribe "
        "again with the new one."
    ) % {"name": name}


@router.get("/feeds", response_class=HTMLResponse)
async def feeds_page(request: Request, _user: AdminUser, services: ServicesDep) -> HTMLResponse:
    listed = await services.scheduling.get("/v1/practitioners")
    practitioners = await asyncio.gather(*(_with_url(services, p) for p in listed))
    saved = _rotated_notice(practitioners, request.query_params.get("rotated"))
    return render(request, "settings/feeds.html", {"practitioners": practitioners, "saved": saved})


@router.post("/feeds/{practitioner_id}/rotate")
async def rotate_feed(
    practitioner_id: uuid.UUID, _user: AdminUser, services: ServicesDep
) -> Response:
    await services.scheduling.post(f"/v1/practitioners/{practitioner_id}/feed/rotate")
    where = f"{PAGE}?rotated={practitioner_id}#feed-{practitioner_id}"
    return RedirectResponse(where, status_code=303)
