"""Read-only SQL the stock view and the forecast are computed from."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from clinic_shared.outbox import Repository
from inventory.adapters.orm import (
    courses,
    kit_items,
    lots,
    products,
    reservations,
    sessions,
    shortages,
)
from inventory.domain.forecast import WorstCase

DONE_OR_BOOKED = ("booked", "completed")


@dataclass(frozen=True)
class UsableLot:
    product_code: str
    expires_on: date
    vials: int
    reserved: int


@dataclass(frozen=True)
class CourseProgress:
    course_id: uuid.UUID
    treatment_code: str
    sessions_planned: int
    sessions_taken: int
    last_session_on: date | None


class ForecastRepository(Repository):
    async def usable_lots(
        self, today: date, only: Collection[str] | None = None
    ) -> list[UsableLot]:
        """Available lots still in date with vials on hand (of the products `only` names)."""
        on_hand = lots.c.quantity - lots.c.consumed
        query = sa.select(
            lots.c.product_code, lots.c.expires_on, on_hand.label("vials"), lots.c.reserved
        ).where(lots.c.status == "available", lots.c.expires_on > today, on_hand > 0)
        if only is not None:
            query = query.where(lots.c.product_code.in_(only))
        return [UsableLot(**r._mapping) for r in await self._session.execute(query)]

    async def booked_demand(
        self, only: Collection[str] | None = None
    ) -> dict[str, dict[date, int]]:
        """Vials booked sessions hold or lack, per product (of those `only` names) and day."""
        demand: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
        for table, held in (
            (reservations, reservations.c.status == "reserved"),
            (shortages, sa.true()),
        ):
            if only is not None:
                held = sa.and_(held, table.c.product_code.in_(only))
            rows = await self._session.execute(
                sa.select(
                    table.c.product_code, sessions.c.session_on, sa.func.sum(table.c.quantity)
                )
                .join(sessions, sessions.c.session_id == table.c.session_id)
                .where(sessions.c.status == "booked", held)
                .group_by(table.c.product_code, sessions.c.session_on)
            )
            for product_code, day, quantity in rows:
                demand[product_code][day] += int(quantity)
        return demand

    async def worst_cases(self, product_codes: Collection[str], today: date) -> list[WorstCase]:
        """Per product coded in `product_codes`, its `WorstCase` at the end of its lead time
        (see `surely_holds`), in one statement: a review follows each booking."""
        code = products.c.code
        on_hand = lots.c.quantity - lots.c.consumed
        booked = sessions.c.status == "booked"
        lasting = sa.select(sa.func.coalesce(sa.func.sum(on_hand), 0)).where(
            lots.c.product_code == code,
            lots.c.status == "available",
            lots.c.expires_on > sa.literal(today, sa.Date) + products.c.lead_time_days,
            on_hand > 0,
        )
        held = (
            sa.select(sa.func.coalesce(sa.func.sum(reservations.c.quantity), 0))
            .join(sessions, sessions.c.session_id == reservations.c.session_id)
            .where(reservations.c.product_code == code, reservations.c.status == "reserved", booked)
        )
        lacking = (
            sa.select(sa.func.coalesce(sa.func.sum(shortages.c.quantity), 0))
            .join(sessions, sessions.c.session_id == shortages.c.session_id)
            .where(shortages.c.product_code == code, booked)
        )
        per_course = (
            sa.select(sa.func.coalesce(sa.func.sum(kit_items.c.quantity), 0))
            .join(courses, courses.c.treatment_code == kit_items.c.treatment_code)
            .where(kit_items.c.product_code == code, courses.c.status == "active")
        )
        rows = await self._session.execute(
            sa.select(
                code,
                products.c.lead_time_days,
                products.c.safety_stock,
                lasting.scalar_subquery(),
                held.scalar_subquery() + lacking.scalar_subquery(),
                per_course.scalar_subquery(),
            ).where(code.in_(product_codes))
        )
        return [WorstCase(r[0], r[1], r[2], int(r[3]), int(r[4]), int(r[5])) for r in rows]

    async def active_courses(self) -> list[CourseProgress]:
        """Each course not known to be over, with its sessions booked or done so far.

        Per active course, its sessions are read by index (correlated subqueries), so the time
        does not grow with the history of finished courses.
        """
        own = sessions.c.course_id == courses.c.course_id
        taken = sa.and_(own, sessions.c.status.in_(DONE_OR_BOOKED))
        rows = await self._session.execute(
            sa.select(
                courses.c.course_id,
                courses.c.treatment_code,
                sa.func.coalesce(
                    sa.select(sa.func.max(sessions.c.sessions_planned))
                    .where(own)
                    .scalar_subquery(),
                    courses.c.sessions_planned,
                ),
                sa.select(sa.func.count()).where(taken).scalar_subquery(),
                sa.select(sa.func.max(sessions.c.session_on)).where(taken).scalar_subquery(),
            ).where(courses.c.status == "active")
        )
        return [CourseProgress(r[0], r[1], int(r[2]), int(r[3] or 0), r[4]) for r in rows]

    async def kits(self) -> dict[str, dict[str, int]]:
        """Vials per session, by treatment and product."""
        kits: dict[str, dict[str, int]] = defaultdict(dict)
        for row in await self._session.execute(sa.select(kit_items)):
            kits[row.treatment_code][row.product_code] = row.quantity
        return kits
