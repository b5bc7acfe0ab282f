"""A waitlist offer's routes: its link (the `X-Patient-Link` header), never a staff token."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from scheduling.entrypoints.api.deps import ScopeDep, SettingsDep
from scheduling.entrypoints.api.self_service import LinkDep, key_of
from scheduling.entrypoints.api.waitlist_schemas import LinkedOfferPublic
from scheduling.service_layer import offers
from scheduling.service_layer.offers import LinkedOffer

router = APIRouter(prefix="/v1/self-service/offer", tags=["self-service"])


def _public(linked: LinkedOffer) -> LinkedOfferPublic:
    slot = linked.offer.slot
    return LinkedOfferPublic(
        first_name=linked.first_name,
        treatment=linked.treatment_name,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        expires_at=linked.offer.expires_at,
        state=linked.state,
        session_id=linked.offer.session_id,
    )


@router.get("", response_model=LinkedOfferPublic)
async def read_offer(token: LinkDep, scope: ScopeDep, settings: SettingsDep) -> LinkedOfferPublic:
    """The offered slot while the offer stands; expired: 410 link-expired."""
    return _public(await offers.open_offer(scope, key=key_of(settings), token=token))


@router.post(
    "/accept",
    response_model=LinkedOfferPublic,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"description": "Accepted before: the session it booked."},
        409: {"description": "offer-gone: another patient took the slot first."},
    },
)
async def accept(
    token: LinkDep, response: Response, scope: ScopeDep, settings: SettingsDep
) -> LinkedOfferPublic:
    """Book the offered slot for the course: the first patient to accept takes it; the others
    are told it has gone (409 offer-gone) and keep their place on the waitlist."""
    key = key_of(settings)
    _, booked = await offers.accept(scope, key=key, token=token)
    await scope.uow.commit()
    if not booked:
        response.status_code = status.HTTP_200_OK
    return _public(await offers.open_offer(scope, key=key, token=token))
