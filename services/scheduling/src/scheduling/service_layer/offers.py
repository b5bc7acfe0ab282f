"""A waitlist offer through its link: what the page shows, and accepting it (the first to
accept a slot books it; the others are told it has gone and keep their place)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from clinic_shared.patient_links import InvalidLink, read_offer_link
from scheduling.domain.errors import LinkGone, LinkRefused, OfferGone, SlotTaken
from scheduling.domain.model import Session
from scheduling.domain.waitlist import (
    EntryStatus,
    Offer,
    OfferState,
    OfferStatus,
    check_takeable,
    state,
)
from scheduling.service_layer.booking import book_session
from scheduling.service_layer.scope import Scope
from scheduling.service_layer.self_service import PATIENT_ROLE

EXPIRED = "This offer has expired; you keep your place on the waitlist."


@dataclass(frozen=True)
class LinkedOffer:
    """What the offer's page may show: the first name, the treatment, the slot's times."""

    offer: Offer
    first_name: str
    treatment_name: str
    state: OfferState  # open, accepted, taken (by another patient); an expired one is gone
    waiting: bool  # the course is still on the waitlist


async def open_offer(scope: Scope, *, key: str, token: str, lock: bool = False) -> LinkedOffer:
    """The offer a link is bound to, until it expires; the scope then acts as the patient."""
    try:
        link = read_offer_link(key, token)
    except InvalidLink as exc:
        raise LinkRefused from exc
    offer = await scope.waitlist.offer(link.offer_id, lock=lock)
    course = await scope.calendar.course(offer.course_id) if offer else None
    patient = await scope.patients.get(course.patient_id) if course else None
    if offer is None or course is None or patient is None:
        raise LinkRefused
    if patient.erased_at is not None:
        raise LinkGone("revoked")
    scope.act_as(str(patient.id), PATIENT_ROLE)
    taken = offer.slot_id in await scope.waitlist.taken_slots([offer.slot_id])
    current = state(offer, taken=taken, now=scope.clinic.now)
    if current == "expired":
        raise LinkGone("expired", EXPIRED)
    entry = await scope.waitlist.entry(offer.entry_id)
    treatment = await scope.treatment(course.treatment_code)
    waiting = entry is not None and entry.status is EntryStatus.WAITING
    return LinkedOffer(offer, patient.first_name, treatment.name, current, waiting)


async def accept(scope: Scope, *, key: str, token: str) -> tuple[Session, bool]:
    """Book the offer's slot for the patient's course; True when booked now. Accepting again
    answers the session booked; a slot another patient took first: OfferGone."""
    linked = await open_offer(scope, key=key, token=token, lock=True)
    offer = linked.offer
    if offer.status is OfferStatus.ACCEPTED and offer.session_id is not None:
        return await scope.session(offer.session_id), False
    check_takeable(
        offer, taken=linked.state == "taken", waiting=linked.waiting, now=scope.clinic.now
    )
    try:
        await scope.waitlist.claim(offer.id, scope.clinic.now)
    except IntegrityError as exc:  # another offer of the slot was accepted first
        raise OfferGone() from exc
    slot = offer.slot
    try:
        session = await book_session(
            scope,
            course_id=offer.course_id,
            starts_at=slot.starts_at,
            room_id=slot.room_id,
            practitioner_id=slot.practitioner_id,
            after_others=True,
        )
    except SlotTaken as exc:
        if exc.extensions.get("resource") == "patient":
            raise
        raise OfferGone() from exc  # booked by staff meanwhile
    await scope.waitlist.booked(offer.id, session.id)
    await scope.waitlist.serve(offer.entry_id, scope.clinic.now)
    await scope.record("course", offer.course_id, "waitlist_offer_accepted", ("waitlist",))
    return session, True
