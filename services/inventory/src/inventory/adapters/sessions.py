"""SQL for sessions, their reservations and shortages."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from clinic_shared.db import insert_once
from clinic_shared.outbox import Repository
from inventory.adapters.orm import courses, lots, reservations, sessions, shortages
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


def _values(booked: BookedSession) -> dict[str, Any]:
    """The session's row; a shallow copy, as `asdict` would deep-copy every id and date."""
    return dict(vars(booked))


class SessionRepository(Repository):
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

    async def short_sessions(
        self, pairs: list[tuple[uuid.UUID, str]]
    ) -> dict[tuple[uuid.UUID, str], tuple[date, int]]:
        """Per (session, product) among `pairs` still short: the session's day and the vials
        it lacks."""
        if not pairs:
            return {}
        rows = await self._session.execute(
            sa.select(
                shortages.c.session_id,
                shortages.c.product_code,
                sessions.c.session_on,
                shortages.c.quantity,
            )
            .join(sessions, sessions.c.session_id == shortages.c.session_id)
            .where(sa.tuple_(shortages.c.session_id, shortages.c.product_code).in_(pairs))
        )
        return {(r.session_id, r.product_code): (r.session_on, r.quantity) for r in rows}

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

    async def booked_for_treatment(self, treatment_code: str, after: datetime) -> list[uuid.UUID]:
        """Booked sessions of the treatment starting after `after`, earliest first, locked in
        that order (a session's row before its lots, as every stock change locks them)."""
        rows = await self._session.execute(
            sa.select(sessions.c.session_id)
            .where(
                sessions.c.treatment_code == treatment_code,
                sessions.c.status == "booked",
                sessions.c.starts_at > after,
            )
            .order_by(sessions.c.starts_at, sessions.c.session_id)
            .with_for_update()
        )
        return [r.session_id for r in rows]

    async def renumber(self, session_id: uuid.UUID, sequence: int, at: datetime) -> None:
        """Set the session's number if this news is newer than its booking and any renumbering."""
        await self._session.execute(
            sa.update(sessions)
            .where(
                sessions.c.session_id == session_id,
                sessions.c.as_of <= at,
                sa.or_(sessions.c.sequence_as_of.is_(None), sessions.c.sequence_as_of < at),
            )
            .values(sequence=sequence, sequence_as_of=at)
        )

    async def booked_of_course(self, course_id: uuid.UUID) -> list[BookedSession]:
        """The course's sessions still holding stock, earliest first, locked in that order."""
        rows = await self._session.execute(
            sa.select(*(c for c in sessions.c if c.name != "sequence_as_of"))
            .where(sessions.c.course_id == course_id, sessions.c.status == "booked")
            .order_by(sessions.c.starts_at, sessions.c.session_id)
            .with_for_update()
        )
        return [BookedSession(**r._mapping) for r in rows]
