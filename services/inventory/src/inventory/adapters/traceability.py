"""Read-only SQL for reservation lines and lot traceability."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa

from clinic_shared.outbox import Repository
from inventory.adapters.orm import consumptions, lots, reservations, sessions, shortages
from inventory.domain.lots import lot_key

# A reservation line: the product, the lot that holds it, how many vials, its status.
LINE = (
    reservations.c.product_code,
    lots.c.id.label("lot_id"),
    lots.c.lot_number,
    lots.c.expires_on,
    reservations.c.quantity,
    reservations.c.status,
)


class TraceRepository(Repository):
    async def reservation_lines(self, session_id: uuid.UUID) -> list[dict[str, Any]]:
        """Every reservation of the session with its lot, then what it still lacks."""
        held = await self._session.execute(
            sa.select(*LINE)
            .join(lots, lots.c.id == reservations.c.lot_id)
            .where(reservations.c.session_id == session_id)
            .order_by(reservations.c.product_code, reservations.c.created_at, lots.c.expires_on)
        )
        short = await self._session.execute(
            sa.select(shortages.c.product_code, shortages.c.quantity)
            .where(shortages.c.session_id == session_id)
            .order_by(shortages.c.product_code)
        )
        lines = [dict(r._mapping) for r in held]
        empty = {"lot_id": None, "lot_number": None, "expires_on": None, "status": "short"}
        return lines + [dict(r._mapping) | empty for r in short]

    async def booked_lines(self, first_day: date, last_day: date) -> list[dict[str, Any]]:
        """What the booked sessions of these days hold (by lot) and lack, with their session,
        in the order the sessions start."""
        booked = sa.and_(
            sessions.c.status == "booked", sessions.c.session_on.between(first_day, last_day)
        )
        session_columns = (sessions.c.session_id, sessions.c.session_on, sessions.c.starts_at)
        held = await self._session.execute(
            sa.select(*session_columns, *LINE)
            .join(sessions, sessions.c.session_id == reservations.c.session_id)
            .join(lots, lots.c.id == reservations.c.lot_id)
            .where(booked, reservations.c.status == "reserved")
        )
        short = await self._session.execute(
            sa.select(*session_columns, shortages.c.product_code, shortages.c.quantity)
            .join(sessions, sessions.c.session_id == shortages.c.session_id)
            .where(booked)
        )
        empty = {"lot_id": None, "lot_number": None, "expires_on": None, "status": "short"}
        lines = [dict(r._mapping) for r in held] + [dict(r._mapping) | empty for r in short]
        return sorted(
            lines,
            key=lambda line: (
                line["starts_at"],
                str(line["session_id"]),
                line["product_code"],
                line["status"] == "short",
                line["expires_on"] or date.max,
            ),
        )

    async def shortage_totals(self) -> dict[str, tuple[int, int, date]]:
        """Per product, what booked sessions lack now: (sessions, vials, the first day)."""
        rows = await self._session.execute(
            sa.select(
                shortages.c.product_code,
                sa.func.count(shortages.c.session_id),
                sa.func.sum(shortages.c.quantity),
                sa.func.min(sessions.c.session_on),
            )
            .join(sessions, sessions.c.session_id == shortages.c.session_id)
            .where(sessions.c.status == "booked")
            .group_by(shortages.c.product_code)
        )
        return {code: (int(count), int(vials), first) for code, count, vials, first in rows}

    async def consumptions(
        self, *, lot_number: str | None = None, **where: Any
    ) -> list[dict[str, Any]]:
        """Consumption records matching `lot_number=` (in any case), `patient_id=` or
        `product_code=`, oldest first."""
        if lot_number is not None:
            where["lot_key"] = lot_key(lot_number)
        conditions = [consumptions.c[name] == value for name, value in where.items()]
        rows = await self._session.execute(
            sa.select(
                consumptions.c.patient_id,
                consumptions.c.session_id,
                consumptions.c.product_code,
                consumptions.c.lot_id,
                consumptions.c.lot_number,
                consumptions.c.quantity,
                consumptions.c.consumed_at,
            )
            .where(*conditions)
            .order_by(consumptions.c.consumed_at, consumptions.c.product_code)
        )
        return [dict(r._mapping) for r in rows]

    async def booked_with_lot(self, lot_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
        """Booked sessions holding vials of these lots."""
        rows = await self._session.execute(
            sa.select(
                sessions.c.session_id,
                sessions.c.patient_id,
                sessions.c.starts_at,
                reservations.c.product_code,
                reservations.c.lot_id,
                reservations.c.quantity,
            )
            .join(reservations, reservations.c.session_id == sessions.c.session_id)
            .where(reservations.c.lot_id.in_(lot_ids), reservations.c.status == "reserved")
            .order_by(sessions.c.starts_at)
        )
        return [dict(r._mapping) for r in rows]

    async def patient_sessions(self, patient_id: uuid.UUID) -> list[dict[str, Any]]:
        """The patient's sessions as inventory knows them, earliest first."""
        rows = await self._session.execute(
            sa.select(
                sessions.c.session_id,
                sessions.c.course_id,
                sessions.c.treatment_code,
                sessions.c.starts_at,
                sessions.c.status,
            )
            .where(sessions.c.patient_id == patient_id)
            .order_by(sessions.c.starts_at, sessions.c.session_id)
        )
        return [dict(r._mapping) for r in rows]

    async def is_short(self, session_id: uuid.UUID) -> bool:
        found = await self._session.scalar(
            sa.select(sa.literal(1)).where(shortages.c.session_id == session_id).limit(1)
        )
        return found is not None

    async def session_known(self, session_id: uuid.UUID) -> bool:
        found = await self._session.scalar(
            sa.select(sa.literal(1)).where(sessions.c.session_id == session_id)
        )
        return found is not None

    async def lot_ids_numbered(self, lot_number: str) -> list[uuid.UUID]:
        """The lots of any product with that number, in any case."""
        rows = await self._session.scalars(
            sa.select(lots.c.id).where(lots.c.lot_key == lot_key(lot_number))
        )
        return list(rows.all())
