"""SQL for the waitlist: its entries, the offers of freed slots, and the claim on a slot."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from clinic_shared.db import insert_once
from clinic_shared.outbox import Repository
from scheduling.adapters.orm import courses, waitlist_entries, waitlist_offers
from scheduling.domain.model import CourseStatus
from scheduling.domain.waitlist import EntryStatus, Offer, OfferStatus, Slot

WAITING = EntryStatus.WAITING.value


@dataclass(frozen=True)
class Entry:
    id: uuid.UUID
    course_id: uuid.UUID
    status: EntryStatus
    joined_at: datetime
    joined_by: str


def _entry(row: Any) -> Entry:
    values = dict(row._mapping)
    return Entry(
        id=values["id"],
        course_id=values["course_id"],
        status=EntryStatus(values["status"]),
        joined_at=values["joined_at"],
        joined_by=values["joined_by"],
    )


def _offer(row: Any) -> Offer:
    r = row._mapping
    return Offer(
        id=r["id"],
        entry_id=r["entry_id"],
        course_id=r["course_id"],
        slot_id=r["slot_id"],
        slot=Slot(r["practitioner_id"], r["room_id"], r["starts_at"], r["ends_at"]),
        status=OfferStatus(r["status"]),
        offered_at=r["offered_at"],
        expires_at=r["expires_at"],
        accepted_at=r["accepted_at"],
        session_id=r["session_id"],
    )


class WaitlistRepository(Repository):
    async def join(self, course_id: uuid.UUID, by: str, now: datetime) -> bool:
        """Put the course on the waitlist; False when it is waiting already."""
        row = {
            "id": uuid.uuid4(),
            "course_id": course_id,
            "status": WAITING,
            "joined_at": now,
            "joined_by": by,
        }
        return await insert_once(self._session, waitlist_entries, row)

    async def waiting(self, course_id: uuid.UUID) -> Entry | None:
        row = (
            await self._session.execute(
                sa.select(waitlist_entries).where(
                    waitlist_entries.c.course_id == course_id, waitlist_entries.c.status == WAITING
                )
            )
        ).one_or_none()
        return _entry(row) if row else None

    async def entry(self, id: uuid.UUID) -> Entry | None:
        query = sa.select(waitlist_entries).where(waitlist_entries.c.id == id)
        row = (await self._session.execute(query)).one_or_none()
        return _entry(row) if row else None

    async def entries(self) -> list[Entry]:
        """The waitlist in the order patients joined it: the waiting entries of active courses
        (an abandoned or completed course, or an erased patient's, waits no more)."""
        query = (
            sa.select(waitlist_entries)
            .join(courses, courses.c.id == waitlist_entries.c.course_id)
            .where(
                waitlist_entries.c.status == WAITING,
                courses.c.status == CourseStatus.ACTIVE.value,
            )
            .order_by(waitlist_entries.c.joined_at, waitlist_entries.c.id)
        )
        return [_entry(r) for r in await self._session.execute(query)]

    async def waiting_with(self, practitioner_id: uuid.UUID) -> list[Entry]:
        """The waiting entries of the practitioner's active courses, first joined first."""
        query = (
            sa.select(waitlist_entries)
            .join(courses, courses.c.id == waitlist_entries.c.course_id)
            .where(
                waitlist_entries.c.status == WAITING,
                courses.c.practitioner_id == practitioner_id,
                courses.c.status == CourseStatus.ACTIVE.value,
            )
            .order_by(waitlist_entries.c.joined_at, waitlist_entries.c.id)
        )
        return [_entry(r) for r in await self._session.execute(query)]

    async def serve(self, entry_id: uuid.UUID, now: datetime) -> None:
        """The entry leaves the waitlist: an offer of theirs booked their session."""
        await self._session.execute(
            sa.update(waitlist_entries)
            .where(waitlist_entries.c.id == entry_id)
            .values(status=EntryStatus.SERVED.value, left_at=now)
        )

    async def add_offer(self, offer: Offer) -> None:
        slot = offer.slot
        await self._session.execute(
            sa.insert(waitlist_offers).values(
                id=offer.id,
                entry_id=offer.entry_id,
                course_id=offer.course_id,
                slot_id=offer.slot_id,
                practitioner_id=slot.practitioner_id,
                room_id=slot.room_id,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                status=offer.status.value,
                offered_at=offer.offered_at,
                expires_at=offer.expires_at,
            )
        )

    async def offer(self, id: uuid.UUID, *, lock: bool = False) -> Offer | None:
        query = sa.select(waitlist_offers).where(waitlist_offers.c.id == id)
        if lock:
            query = query.with_for_update()
        row = (await self._session.execute(query)).one_or_none()
        return _offer(row) if row else None

    async def offers_of(self, entry_ids: list[uuid.UUID]) -> list[Offer]:
        query = (
            sa.select(waitlist_offers)
            .where(waitlist_offers.c.entry_id.in_(entry_ids))
            .order_by(waitlist_offers.c.offered_at, waitlist_offers.c.id)
        )
        return [_offer(r) for r in await self._session.execute(query)]

    async def taken_slots(self, slot_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        """Which of the slots an accepted offer holds."""
        query = sa.select(waitlist_offers.c.slot_id).where(
            waitlist_offers.c.slot_id.in_(slot_ids),
            waitlist_offers.c.status == OfferStatus.ACCEPTED.value,
        )
        return set((await self._session.execute(query)).scalars())

    async def claim(self, offer_id: uuid.UUID, now: datetime) -> None:
        """Mark the offer accepted. The unique index of one accepted offer per slot refuses a
        second (IntegrityError): a concurrent claim of the same slot waits for this one's
        transaction, then fails if it committed."""
        await self._session.execute(
            sa.update(waitlist_offers)
            .where(waitlist_offers.c.id == offer_id)
            .values(status=OfferStatus.ACCEPTED.value, accepted_at=now)
        )

    async def booked(self, offer_id: uuid.UUID, session_id: uuid.UUID) -> None:
        await self._session.execute(
            sa.update(waitlist_offers)
            .where(waitlist_offers.c.id == offer_id)
            .values(session_id=session_id)
        )
