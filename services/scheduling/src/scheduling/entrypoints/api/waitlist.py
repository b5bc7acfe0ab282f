"""Waitlist routes: the front desk puts a course on it and sees it with its offers."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from scheduling.adapters.waitlist import Entry
from scheduling.domain.waitlist import state
from scheduling.entrypoints.api.deps import FrontDesk, ScopeDep
from scheduling.entrypoints.api.waitlist_schemas import (
    OfferPublic,
    WaitingCoursePublic,
    WaitlistEntryPublic,
    WaitlistJoin,
)
from scheduling.service_layer import waitlist
from scheduling.service_layer.scope import Scope

router = APIRouter(prefix="/v1/waitlist", tags=["waitlist"])


def entry_public(entry: Entry) -> WaitlistEntryPublic:
    return WaitlistEntryPublic(
        id=entry.id,
        course_id=entry.course_id,
        status=entry.status.value,
        joined_at=entry.joined_at,
    )


@router.post(
    "",
    response_model=WaitlistEntryPublic,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "The course was waiting already: it keeps its place."}},
)
async def join(
    body: WaitlistJoin, response: Response, scope: ScopeDep, who: FrontDesk
) -> WaitlistEntryPublic:
    """Put a course whose next session finds no acceptable slot on the waitlist."""
    scope.act_as(who.subject, who.role)
    entry, joined = await waitlist.join(scope, body.course_id)
    await scope.uow.commit()
    if not joined:
        response.status_code = status.HTTP_200_OK
    return entry_public(entry)


@router.get("", response_model=list[WaitingCoursePublic])
async def read_waitlist(scope: ScopeDep, _: FrontDesk) -> list[WaitingCoursePublic]:
    """The courses waiting, first joined first, each with the offers it had."""
    return [_waiting_public(scope, w) for w in await waitlist.listing(scope)]


def _waiting_public(scope: Scope, waiting: waitlist.WaitingCourse) -> WaitingCoursePublic:
    offers = [
        OfferPublic(
            id=offer.id,
            practitioner_id=offer.slot.practitioner_id,
            room_id=offer.slot.room_id,
            starts_at=offer.slot.starts_at,
            ends_at=offer.slot.ends_at,
            offered_at=offer.offered_at,
            expires_at=offer.expires_at,
            state=state(offer, taken=taken, now=scope.clinic.now),
            session_id=offer.session_id,
        )
        for offer, taken in waiting.offers
    ]
    return WaitingCoursePublic(
        **entry_public(waiting.entry).model_dump(),
        patient_id=waiting.patient_id,
        treatment_code=waiting.treatment_code,
        offers=offers,
    )
