"""The waitlist: a course joins it when its next session finds no acceptable slot; a freed slot
is offered to the waiting courses whose window holds it; the first to accept books it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from clinic_shared.contracts.events import WaitlistOffered
from clinic_shared.errors import NotFound
from scheduling.adapters.waitlist import Entry
from scheduling.domain.errors import NotWaitlistable
from scheduling.domain.model import Course, CourseStatus, Session
from scheduling.domain.rules import overlaps
from scheduling.domain.waitlist import Candidate, Offer, OfferStatus, Slot, expiry, is_offered
from scheduling.service_layer.courses import view
from scheduling.service_layer.scope import Scope


async def join(scope: Scope, course_id: uuid.UUID) -> tuple[Entry, bool]:
    """Put the course on the waitlist (once: joining again keeps its place); True when it
    joined now. A course with nothing left to book is refused."""
    course = await scope.course(course_id, lock=True)
    if course.status is not CourseStatus.ACTIVE or (await view(scope, course)).next_window is None:
        raise NotWaitlistable(course.status.value)
    assert scope.actor is not None, "the route acts as someone"
    joined = await scope.waitlist.join(course.id, scope.actor.subject, scope.clinic.now)
    if joined:
        await scope.record("course", course.id, "joined_waitlist", ("waitlist",))
    entry = await scope.waitlist.waiting(course.id)
    assert entry is not None
    return entry, joined


async def standing(scope: Scope, course: Course) -> tuple[bool, bool]:
    """Whether the course is waiting, and whether it may join (it has a session to book)."""
    if await scope.waitlist.waiting(course.id) is not None:
        return True, False
    bookable = course.status is CourseStatus.ACTIVE
    return False, bookable and (await view(scope, course)).next_window is not None


async def offer_freed(scope: Scope, freed: Session) -> list[Offer]:
    """Offer the slot `freed` left (cancelled, moved or missed) to every waiting course whose
    window holds it and whose practitioner it is with, unless the slot is held again."""
    slot = Slot(freed.practitioner_id, freed.room_id, freed.starts_at, freed.ends_at)
    if slot.starts_at <= scope.clinic.now:
        return []  # a no-show's slot has passed; nothing to offer
    entries = await scope.waitlist.waiting_with(slot.practitioner_id)
    if not entries or await _held(scope, slot):
        return []
    slot_id, offers = uuid.uuid4(), []
    for entry in entries:
        course = await scope.course(entry.course_id)
        if course.patient_id == freed.patient_id:
            continue  # the patient who gave the slot up
        candidate = Candidate(
            course_id=course.id,
            patient_id=course.patient_id,
            practitioner_id=course.practitioner_id,
            session_minutes=(await scope.course_treatment(course)).session_minutes,
            window=(await view(scope, course)).next_window,
        )
        if not is_offered(candidate, slot, scope.clinic.zone, scope.clinic.now):
            continue
        offer = Offer(
            id=uuid.uuid4(),
            entry_id=entry.id,
            course_id=course.id,
            slot_id=slot_id,
            slot=slot,
            status=OfferStatus.OPEN,
            offered_at=scope.clinic.now,
            expires_at=expiry(scope.clinic.now, scope.clinic.offer_lasts, slot),
        )
        await scope.waitlist.add_offer(offer)
        scope.uow.emit(
            WaitlistOffered(
                offer_id=offer.id,
                course_id=course.id,
                patient_id=course.patient_id,
                practitioner_id=slot.practitioner_id,
                treatment_code=course.treatment_code,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                expires_at=offer.expires_at,
            )
        )
        offers.append(offer)
    return offers


async def _held(scope: Scope, slot: Slot) -> bool:
    """Whether an active session holds the practitioner or the room over the slot again (a
    move by a few minutes, a booking made meanwhile)."""
    for column, resource in (("practitioner_id", slot.practitioner_id), ("room_id", slot.room_id)):
        busy = await scope.calendar.busy(column, resource, slot.starts_at, slot.ends_at)
        if any(overlaps(slot.starts_at, slot.ends_at, b, e) for b, e in busy):
            return True
    return False


@dataclass(frozen=True)
class WaitingCourse:
    """An entry of the staff's view: the course waiting, and the offers it had."""

    entry: Entry
    patient_id: uuid.UUID
    treatment_code: str
    offers: list[tuple[Offer, bool]]  # each offer, and whether another patient took its slot


async def listing(scope: Scope) -> list[WaitingCourse]:
    """The waitlist, first joined first, each course with its offers."""
    entries = await scope.waitlist.entries()
    offers = await scope.waitlist.offers_of([e.id for e in entries]) if entries else []
    taken = await scope.waitlist.taken_slots([o.slot_id for o in offers]) if offers else set()
    found = []
    for entry in entries:
        course = await scope.calendar.course(entry.course_id)
        if course is None:
            raise NotFound(f"No course {entry.course_id}.")
        own = [(o, o.slot_id in taken) for o in offers if o.entry_id == entry.id]
        found.append(WaitingCourse(entry, course.patient_id, course.treatment_code, own))
    return found
