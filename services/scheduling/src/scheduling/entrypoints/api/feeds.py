"""Practitioners' calendar feeds: an admin reads or rotates a feed's URL; the URL itself, a
secret, serves the feed to any calendar app, without a token."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from clinic_shared.ratelimit import limited
from scheduling.entrypoints.api.deps import Admin, ScopeDep, SettingsDep
from scheduling.service_layer import feeds

router = APIRouter(prefix="/v1", tags=["calendar feeds"])
ICALENDAR = "text/calendar; charset=utf-8"


class FeedPublic(BaseModel):
    url: str = Field(description="The feed's secret URL: whoever has it reads the feed.")


@router.get("/practitioners/{practitioner_id}/feed", response_model=FeedPublic)
async def read_feed_url(
    practitioner_id: uuid.UUID, scope: ScopeDep, settings: SettingsDep, _: Admin
) -> FeedPublic:
    """The practitioner's feed URL (made on first asking)."""
    secret = await feeds.feed_secret(scope, practitioner_id)
    await scope.uow.commit()
    return FeedPublic(url=feeds.feed_url(settings.feed_base_url, secret))


@router.post("/practitioners/{practitioner_id}/feed/rotate", response_model=FeedPublic)
async def rotate_feed_url(
    practitioner_id: uuid.UUID, scope: ScopeDep, settings: SettingsDep, _: Admin
) -> FeedPublic:
    """A new feed URL for the practitioner; the old one stops working at once."""
    secret = await feeds.rotate(scope, practitioner_id)
    await scope.uow.commit()
    return FeedPublic(url=feeds.feed_url(settings.feed_base_url, secret))


@router.get(
    feeds.FEED_PATH.removeprefix("/v1"),
    response_class=Response,
    dependencies=[Depends(limited("feed_limiter"))],
    responses={200: {"content": {"text/calendar": {}}, "description": "The feed (RFC 5545)."}},
)
async def read_feed(secret: str, scope: ScopeDep) -> Response:
    """The practitioner's sessions not over yet, one VEVENT each; 404 for any other secret."""
    body = await feeds.feed(scope, secret)
    return Response(body, media_type=ICALENDAR, headers={"Cache-Control": "private, no-store"})
