"""Taking vials for booked sessions: the two statements of the booking path.

Both are Core statements built once (building one costs more CPU than running it) and run with
`Direct`. Each takes a lot's vials in one conditional UPDATE that re-checks `take <= free` on
the row as it is once locked (READ COMMITTED re-evaluates the WHERE on the newest version), so a
pick a competitor overtook is skipped, never over-allocated: `offered` > `held` tells the caller
to read again. The CHECK on `lots` is the backstop.

Lock order, which every path that takes or gives back vials keeps (`service_layer/reserving.py`,
the receipts, counts and recalls): a session's row, then lots by (product code, expiry, lot
number, id). Two transactions taking the same lots in opposite orders would deadlock;
`tests/integration/test_lock_order.py` fails if these statements break that order.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from clinic_shared.context import current_event_id
from clinic_shared.direct import Direct
from clinic_shared.outbox import Repository
from inventory.adapters.orm import courses, kit_items, lots, patient_refs, reservations, sessions
from inventory.domain.catalogue import KitLine
from inventory.domain.sessions import BookedSession

FREE = lots.c.quantity - lots.c.reserved - lots.c.consumed
SESSION_ID = sa.bindparam("session_id", type_=sa.Uuid)
AFTER = sa.bindparam("after", type_=sa.Date)
NOW = sa.bindparam("now", type_=lots.c.received_at.type)
PRODUCTS_TAKEN_WITH_BOOKING = 5  # the most products a kit of the catalogue has


def const(value: str | int) -> sa.ColumnElement[Any]:
    """A constant written into the SQL, not sent as a parameter: the planner sees `LIMIT 1`
    and `status = 'available'` in every plan, generic ones included."""
    return sa.literal_column(str(value) if isinstance(value, int) else f"'{value}'")


@dataclass(frozen=True)
class FirstLotTake:
    """The CTEs taking what `want` (product_code, wanted: one row, or none) asks of its
    product's first lot by FEFO, and the two numbers saying what they did."""

    pick: sa.CTE
    held: sa.CTE

    @property
    def vials_held(self) -> sa.ScalarSelect[int]:
        return sa.select(
            sa.func.coalesce(sa.func.sum(self.held.c.quantity), const(0))
        ).scalar_subquery()

    @property
    def vials_offered(self) -> sa.ScalarSelect[int]:
        return sa.select(
            sa.func.coalesce(sa.func.sum(self.pick.c.take), const(0))
        ).scalar_subquery()


def take_first_lot(want: sa.CTE, suffix: str = "") -> FirstLotTake:
    """Pick the product's first valid lot with a free vial (no lock), take from it with a
    conditional UPDATE (its row lock, the only lock taken) and record the reservation."""
    pick = (
        sa.select(lots.c.id, sa.func.least(FREE, want.c.wanted).label("take"))
        .join_from(lots, want, lots.c.product_code == want.c.product_code)
        .where(lots.c.status == const("available"), lots.c.expires_on > AFTER, const(0) < FREE)
        .order_by(lots.c.expires_on, lots.c.lot_number, lots.c.id)
        .limit(const(1))
        .cte(f"pick{suffix}")
    )
    taken = (
        sa.update(lots)
        .where(lots.c.id == pick.c.id, lots.c.status == const("available"), pick.c.take <= FREE)
        .values(reserved=lots.c.reserved + pick.c.take)
        .returning(lots.c.id, lots.c.product_code, pick.c.take)
        .cte(f"taken{suffix}")
    )
    reservation = sa.select(
        sa.func.gen_random_uuid(),
        SESSION_ID,
        taken.c.product_code,
        taken.c.id,
        taken.c.take,
        const("reserved"),
        NOW,
    )
    held = (
        sa.insert(reservations)
        .from_select(
            ["id", "session_id", "product_code", "lot_id", "quantity", "status", "created_at"],
            reservation,
        )
        .returning(reservations.c.quantity)
        .cte(f"held{suffix}")
    )
    return FirstLotTake(pick, held)


def _reserve_from_first_lot() -> sa.Select[int, int]:
    want = sa.select(
        sa.bindparam("product_code", type_=sa.String).label("product_code"),
        sa.bindparam("wanted", type_=sa.Integer).label("wanted"),
    ).cte("want")
    take = take_first_lot(want)
    return sa.select(take.vials_held.label("held"), take.vials_offered.label("offered"))


RESERVE_FROM_FIRST_LOT = Direct(_reserve_from_first_lot())
"""Hold up to `wanted` vials of `product_code` from its first lot by FEFO expiring after
`after`, in one round trip; the row is (vials held, vials the lot offered as read).

Lock order: one lot's row, nothing else. A caller needing more calls again, and the next pick
is the next lot by FEFO, so a session's lots of one product are locked in FEFO order."""


def _record_booking(products: int) -> sa.Select[Any]:
    """The booking's statement, taking the first lots of up to `products` kit lines."""
    patient = (
        postgresql.insert(patient_refs)
        .values({c.name: sa.bindparam(c.name, type_=c.type) for c in patient_refs.c})
        .on_conflict_do_nothing()
        .cte("patient")
    )
    columns = [c for c in sessions.c if c.name != "sequence_as_of"]
    booked = (
        postgresql.insert(sessions)
        .values({c.name: sa.bindparam(c.name, type_=c.type) for c in columns})
        .on_conflict_do_nothing()
        .returning(sessions.c.course_id, sessions.c.treatment_code, sessions.c.sessions_planned)
        .cte("booked")
    )
    course = (
        postgresql.insert(courses)
        .from_select(
            ["course_id", "treatment_code", "sessions_planned", "status"],
            sa.select(booked, const("active")),
        )
        .on_conflict_do_nothing()
        .cte("course")
    )
    treatment = kit_items.c.treatment_code == sa.bindparam("treatment_code", type_=sa.String)
    served: sa.ColumnElement[bool] = sa.true()
    takes = []
    for n in range(1, products + 1):
        want = (
            sa.select(kit_items.c.product_code, kit_items.c.quantity.label("wanted"))
            .where(treatment, sa.exists().select_from(booked), served)
            .order_by(kit_items.c.product_code)
            .offset(const(n - 1))
            .limit(const(1))
            .cte(f"want{n}")
        )
        take = take_first_lot(want, str(n))
        # Line n + 1 is taken only once line n was served whole by its first lot: reading what
        # line n held runs its UPDATE first, so lots are locked line by line, in product order.
        served = take.vials_held == sa.select(want.c.wanted).scalar_subquery()
        takes.append(
            sa.select(
                want.c.product_code,
                take.vials_held.label("held"),
                take.vials_offered.label("offered"),
            )
        )
    taken = sa.union_all(*takes).subquery("taken")
    one = sa.select(const(1).label("one")).subquery("one")
    return (
        sa.select(
            sa.select(sa.func.count()).select_from(booked).scalar_subquery().label("new"),
            kit_items.c.product_code,
            kit_items.c.quantity,
            taken.c.held,
            taken.c.offered,
        )
        .select_from(
            one.outerjoin(kit_items, treatment).outerjoin(
                taken, taken.c.product_code == kit_items.c.product_code
            )
        )
        .order_by(kit_items.c.product_code)
        .add_cte(patient, course)
    )


RECORD_BOOKING = Direct(_record_booking(PRODUCTS_TAKEN_WITH_BOOKING))
"""A booked session recorded with its patient and course, its treatment's kit read and the
first lots of the kit's first lines taken, in one round trip: one row per kit line (product,
quantity, vials held and offered, both NULL when the line is left to `fill_kit`), or one row
of NULLs for a treatment without a kit; `new` is 0 when the session was known already.

As in `SessionRepository.add_if_new`, the course is recorded (and lots taken) only with a new
session, and a competitor recording the same session makes this wait for its commit and find
it known.

Lock order: the new session's row (its INSERT), then one lot per kit line, line by line in
product order (line n + 1 is taken only if line n was served whole by its first lot, and
reading that runs line n's UPDATE first), and last the patient's and the course's rows when
new (PostgreSQL runs the data-modifying CTEs nothing reads after the query; a competitor
inserting the same one waits for this commit). The lots are taken in the order `fill_kit`
goes on in for the lines left to it: the same product's next lots, then the next products'."""


@dataclass(frozen=True)
class NewBooking:
    """A session recorded just now: its treatment's kit, and per kit line what the booking
    took from that product's first lot, as `reserve_from_first_lot` tells it: (vials held,
    vials the lot offered), or None when the line was left to `fill_kit`."""

    kit: list[KitLine]
    first_takes: tuple[tuple[int, int] | None, ...] = ()


class ReservationRepository(Repository):
    async def record_booking(self, booked: BookedSession, *, now: datetime) -> NewBooking | None:
        """Record the booked session (its patient and course too), read its treatment's kit and
        take what the kit's first lines need from their first lots, at `now` (see
        `RECORD_BOOKING`). None when the session was known here already."""
        values = dict(vars(booked))  # a shallow copy: `asdict` would deep-copy every id and date
        values |= {"first_seen_at": now, "source_event_id": current_event_id()}
        values |= {"after": booked.session_on, "now": now}
        rows = await RECORD_BOOKING.rows(self._session, values)
        if not rows[0].new:
            return None
        lines = [r for r in rows if r.product_code is not None]
        kit = [KitLine(r.product_code, r.quantity) for r in lines]
        takes = tuple(None if r.held is None else (int(r.held), int(r.offered)) for r in lines)
        return NewBooking(kit, takes)

    async def reserve_from_first_lot(
        self, *, session_id: uuid.UUID, product_code: str, wanted: int, after: date, now: datetime
    ) -> tuple[int, int]:
        """Hold up to `wanted` vials of the first lot by FEFO expiring after `after`; return
        (vials held, vials the lot offered as read). See `RESERVE_FROM_FIRST_LOT`."""
        values = {
            "session_id": session_id,
            "product_code": product_code,
            "wanted": wanted,
            "after": after,
            "now": now,
        }
        [row] = await RESERVE_FROM_FIRST_LOT.rows(self._session, values)
        return int(row.held), int(row.offered)
