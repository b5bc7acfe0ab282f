"""SQL for sessions, their reservations and shortages."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared.db import insert_once
from clinic_shared.direct import Direct
from inventory.adapters.orm import lots, patient_refs
from inventory.adapters.orm_sessions import courses, reservations, sessions, shortages
from inventory.adapters.stock_repository import TAKE_PARAMETERS, take_first_lot
from inventory.domain.catalogue import KitLine
from inventory.domain.sessions import BookedSession, Reservation, SessionStatus

RESERVATION_COLUMNS = (
    reservations.c.id,
    reservations.c.session_id,
    reservations.c.product_code,
    reservations.c.lot_id,
    reservations.c.quantity,
)


# Statements of the booking path, built once (building costs more CPU than running them).
_GET = sa.select(*(c for c in sessions.c if c.name != "sequence_as_of")).where(
    sessions.c.session_id == sa.bindparam("session_id")
)
_GET_LOCKED = _GET.with_for_update()
_ADD_RESERVATION = sa.insert(reservations)

# PostgreSQL: a booked session recorded with its patient and course, its treatment's kit read and
# the first lots of the kit's first products taken, in one round trip. As in `add_if_new`, the
# course is recorded (and lots taken) only with a new session, and a competitor recording the same
# session makes this wait for its commit and find it known: `new` is 0 then. The LEFT JOIN gives
# one row even for a treatment without a kit.
#
# Lots must still be locked in the order `fill_kit` locks them (product by product, each product's
# lots FEFO), or two bookings could deadlock. So product n is taken only once product n - 1 was
# served whole by its first lot (it needs no further lot), and reading `held{n-1}` for that makes
# product n - 1's UPDATE run, and lock its lot, before product n's; `tried{n}` says whether product
# n was taken here or is left to `fill_kit`.
PRODUCTS_TAKEN_WITH_BOOKING = 5  # the most products a kit of the catalogue has
_RECORDED = """
    WITH patient AS (
        INSERT INTO patient_refs (patient_id, first_seen_at, source_event_id)
        VALUES (:patient_id, :first_seen_at, :source_event_id)
        ON CONFLICT DO NOTHING
    ), booked AS (
        INSERT INTO sessions (session_id, course_id, patient_id, treatment_code, sequence,
                              sessions_planned, starts_at, session_on, status, as_of)
        VALUES (:session_id, :course_id, :patient_id, :treatment_code, :sequence,
                :sessions_planned, :starts_at, :session_on, :status, :as_of)
        ON CONFLICT DO NOTHING
        RETURNING course_id, treatment_code, sessions_planned
    ), course AS (
        INSERT INTO courses (course_id, treatment_code, sessions_planned, status)
        SELECT course_id, treatment_code, sessions_planned, 'active' FROM booked
        ON CONFLICT DO NOTHING
    ),"""
_WANT = """
    want{n} AS (
        SELECT product_code, quantity AS wanted FROM kit_items
        WHERE treatment_code = :treatment_code AND EXISTS (SELECT FROM booked){served}
        ORDER BY product_code
        OFFSET {offset} LIMIT 1
    ),"""
_SERVED = """
          AND (SELECT sum(quantity) FROM held{n}) = (SELECT wanted FROM want{n})"""
_KIT = """
    SELECT (SELECT count(*) FROM booked) AS new, {taken}, kit_items.product_code, kit_items.quantity
    FROM (SELECT 1) AS one
    LEFT JOIN kit_items ON kit_items.treatment_code = :treatment_code
    ORDER BY kit_items.product_code
"""


def _record_booking(products: int) -> str:
    """The statement, taking up to `products` products (see above)."""
    ctes, taken = [], []
    for n in range(1, products + 1):
        served = _SERVED.format(n=n - 1) if n > 1 else ""
        lots, columns = take_first_lot(n)
        ctes.append(_WANT.format(n=n, served=served, offset=n - 1) + lots)
        tried = f"(SELECT count(*) FROM want{n}) AS tried{n}"  # noqa: S608 (no input, a number)
        taken.append(f"{tried}, {columns}")
    return _RECORDED + ",".join(ctes) + _KIT.format(taken=", ".join(taken))


_RECORD_BOOKING = Direct(
    sa.text(_record_booking(PRODUCTS_TAKEN_WITH_BOOKING)).bindparams(
        *(
            sa.bindparam(c.name, type_=c.type)
            for c in (*sessions.c, patient_refs.c.first_seen_at, patient_refs.c.source_event_id)
            if c.name not in ("sequence_as_of", "session_id")
        ),
        *TAKE_PARAMETERS,
    )
)


def _values(booked: BookedSession) -> dict[str, Any]:
    """The session's row; a shallow copy, as `asdict` would deep-copy every id and date."""
    return dict(vars(booked))


@dataclass(frozen=True)
class NewBooking:
    """A session recorded just now: its treatment's kit, and for its first lines what
    `add_booked` already took from that product's first lot (PostgreSQL), as
    `reserve_from_first_lot` tells it: (vials held, vials the lot offered), or None when
    the line was left to `fill_kit`."""

    kit: list[KitLine]
    first_takes: tuple[tuple[int, int] | None, ...] = ()


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, session_id: uuid.UUID, *, lock: bool = False) -> BookedSession | None:
        """The session; `lock` holds its row so events about it apply one at a time."""
        query = _GET_LOCKED if lock else _GET
        row = (await self._session.execute(query, {"session_id": session_id})).one_or_none()
        return BookedSession(**row._mapping) if row else None

    async def add_if_new(self, booked: BookedSession) -> bool:
        """Record the session (and its course) unless it is known; True when it was new.

        A competitor recording the same session makes this wait for its commit and return False,
        so the caller then reads (and locks) the row that competitor wrote.
        """
        if not await insert_once(self._session, sessions, _values(booked)):
            return False
        course = {
            "course_id": booked.course_id,
            "treatment_code": booked.treatment_code,
            "sessions_planned": booked.sessions_planned,
            "status": "active",
        }
        await insert_once(self._session, courses, course)
        return True

    async def add_booked(
        self, booked: BookedSession, patient_seen: dict[str, Any], *, now: datetime
    ) -> NewBooking | None:
        """Record the booked session (its patient and course too), read its treatment's kit and
        take what the kit's first products need from their first lots, at `now`.
        None when the session was known here already. `patient_seen` is the patient reference
        to record unless known (`patient_id`, `first_seen_at`, `source_event_id`)."""
        values = _values(booked) | patient_seen | {"after": booked.session_on, "now": now}
        rows = await _RECORD_BOOKING.rows(self._session, values)
        first = rows[0]._mapping
        if not first["new"]:
            return None
        kit = [KitLine(r.product_code, r.quantity) for r in rows if r.product_code is not None]
        takes = tuple(
            (int(first[f"held{n}"]), int(first[f"offered{n}"])) if first[f"tried{n}"] else None
            for n in range(1, PRODUCTS_TAKEN_WITH_BOOKING + 1)
        )
        return NewBooking(kit, takes)

    async def update(self, session_id: uuid.UUID, **values: Any) -> None:
        await self._session.execute(
            sa.update(sessions).where(sessions.c.session_id == session_id).values(**values)
        )

    async def set_status(
        self, session_id: uuid.UUID, status: SessionStatus, as_of: datetime
    ) -> None:
        await self.update(session_id, status=status, as_of=as_of)

    async def reservations(
        self, session_id: uuid.UUID, *, expiring_by: date | None = None
    ) -> list[Reservation]:
        """The session's held reservations; with `expiring_by`, only those on lots it outlives."""
        query = sa.select(*RESERVATION_COLUMNS).where(
            reservations.c.session_id == session_id, reservations.c.status == "reserved"
        )
        if expiring_by is not None:
            query = query.join(lots, lots.c.id == reservations.c.lot_id).where(
                lots.c.expires_on <= expiring_by
            )
        rows = await self._session.execute(query.order_by(reservations.c.product_code))
        return [Reservation(**r._mapping) for r in rows]

    async def add_reservation(self, reservation: Reservation, *, now: datetime) -> None:
        values = asdict(reservation) | {"status": "reserved", "created_at": now}
        await self._session.execute(_ADD_RESERVATION, values)

    async def mark(
        self, reservation_id: uuid.UUID, status: str, *, quantity: int | None = None
    ) -> bool:
        """Move a held reservation to `status` (for `quantity` of its vials when given); False
        when it was no longer held."""
        values: dict[str, Any] = {"status": status}
        if quantity is not None:
            values["quantity"] = quantity
        result = await self._session.execute(
            sa.update(reservations)
            .where(reservations.c.id == reservation_id, reservations.c.status == "reserved")
            .values(**values)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def reservations_on_lot(self, lot_id: uuid.UUID) -> list[Reservation]:
        """Held reservations on the lot, latest session first (the first to give way)."""
        rows = await self._session.execute(
            sa.select(*RESERVATION_COLUMNS)
            .join(sessions, sessions.c.session_id == reservations.c.session_id)
            .where(reservations.c.lot_id == lot_id, reservations.c.status == "reserved")
            .order_by(sessions.c.starts_at.desc(), sessions.c.session_id)
        )
        return [Reservation(**r._mapping) for r in rows]

    async def shortages(self, session_id: uuid.UUID) -> dict[str, int]:
        rows = await self._session.execute(
            sa.select(shortages.c.product_code, shortages.c.quantity)
            .where(shortages.c.session_id == session_id)
            .order_by(shortages.c.product_code)
        )
        return {r.product_code: r.quantity for r in rows}

    async def set_shortage(self, session_id: uuid.UUID, product_code: str, quantity: int) -> None:
        """Record what the session still lacks of the product (nothing when `quantity` is 0)."""
        await self._session.execute(
            sa.delete(shortages).where(
                shortages.c.session_id == session_id, shortages.c.product_code == product_code
            )
        )
        if quantity > 0:
            await self._session.execute(
                sa.insert(shortages).values(
                    session_id=session_id, product_code=product_code, quantity=quantity
                )
            )

    async def clear_shortages(self, session_id: uuid.UUID) -> None:
        await self._session.execute(
            sa.delete(shortages).where(shortages.c.session_id == session_id)
        )

    async def short_of(self, product_codes: set[str]) -> list[uuid.UUID]:
        """Booked sessions lacking any of these products, earliest first, locked in that order."""
        rows = await self._session.execute(
            sa.select(sessions.c.session_id)
            .where(
                sessions.c.status == "booked",
                sessions.c.session_id.in_(
                    sa.select(shortages.c.session_id).where(
                        shortages.c.product_code.in_(product_codes)
                    )
                ),
            )
            .order_by(sessions.c.starts_at, sessions.c.session_id)
            .with_for_update()
        )
        return [r.session_id for r in rows]


async def renumber(
    session: AsyncSession, session_id: uuid.UUID, sequence: int, at: datetime
) -> None:
    """Set the session's number if this news is newer than its booking and any renumbering."""
    await session.execute(
        sa.update(sessions)
        .where(
            sessions.c.session_id == session_id,
            sessions.c.as_of <= at,
            sa.or_(sessions.c.sequence_as_of.is_(None), sessions.c.sequence_as_of < at),
        )
        .values(sequence=sequence, sequence_as_of=at)
    )
