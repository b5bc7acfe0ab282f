"""The lot counters, changed only by conditional UPDATEs: the heart of never overselling.

Each UPDATE re-checks what it needs in its WHERE clause, so two transactions racing for the last
vial cannot both win: the second waits for the first's row lock and then finds the
condition false. The CHECK on `lots` is the backstop.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from inventory.adapters.orm import lots

FREE = lots.c.quantity - lots.c.reserved - lots.c.consumed

# The reservation path (every booked session): the first lot by FEFO, its conditional UPDATE
# and the reservation row in one statement, built once (building it costs more CPU than running
# it). The UPDATE re-checks `take <= free` on the row as it is once locked (READ COMMITTED
# re-evaluates the WHERE on the newest version), so a pick a competitor overtook is skipped, never
# over-allocated: `offered` > `held` tells the caller to read again. One lot per statement takes
# lots in FEFO order, so reservations cannot deadlock.
# The statement defines `want{n}` (product_code, wanted) before these: one product, or none; `{n}`
# tells apart the CTEs of several products taken in one statement (see `take_first_lot`).
_TAKE_FIRST_LOT = """
    pick{n} AS (
        SELECT lots.id, least(lots.quantity - lots.reserved - lots.consumed, want{n}.wanted) AS take
        FROM lots JOIN want{n} ON lots.product_code = want{n}.product_code
        WHERE lots.status = 'available' AND lots.expires_on > :after
          AND lots.quantity - lots.reserved - lots.consumed > 0
        ORDER BY lots.expires_on, lots.lot_number, lots.id
        LIMIT 1
    ), taken{n} AS (
        UPDATE lots SET reserved = lots.reserved + pick{n}.take
        FROM pick{n}
        WHERE lots.id = pick{n}.id AND lots.status = 'available'
          AND pick{n}.take <= lots.quantity - lots.reserved - lots.consumed
        RETURNING lots.id, lots.product_code, pick{n}.take
    ), held{n} AS (
        INSERT INTO reservations
            (id, session_id, product_code, lot_id, quantity, status, created_at)
        SELECT gen_random_uuid(), :session_id, taken{n}.product_code, taken{n}.id, taken{n}.take,
               'reserved', :now
        FROM taken{n}
        RETURNING quantity
    )
"""
# What those CTEs did: (vials held, vials the lot offered as read).
_TAKEN = """
    (SELECT coalesce(sum(quantity), 0) FROM held{n}) AS held{n},
    (SELECT coalesce(sum(take), 0) FROM pick{n}) AS offered{n}
"""


def take_first_lot(n: int | str = "") -> tuple[str, str]:
    """The CTEs taking `want{n}` from its first lot, and the columns saying what they took."""
    return _TAKE_FIRST_LOT.format(n=n), _TAKEN.format(n=n)


TAKE_PARAMETERS = (
    sa.bindparam("after", type_=sa.Date),
    sa.bindparam("session_id", type_=sa.Uuid),
    sa.bindparam("now", type_=sa.DateTime(timezone=True)),
)
_TAKE, _TAKEN_COLUMNS = take_first_lot()
_RESERVE_FIRST_LOT = sa.text(
    "WITH want AS (SELECT :product_code AS product_code, :wanted AS wanted),"
    + _TAKE
    + "SELECT"
    + _TAKEN_COLUMNS
).bindparams(
    sa.bindparam("product_code", type_=sa.String),
    sa.bindparam("wanted", type_=sa.Integer),
    *TAKE_PARAMETERS,
)


class StockRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def reserve_from_first_lot(
        self, *, session_id: uuid.UUID, product_code: str, wanted: int, after: date, now: datetime
    ) -> tuple[int, int]:
        """Hold up to `wanted` vials of the first lot by FEFO expiring after
        `after`, in one round trip; return (vials held, vials the lot offered as read)."""
        values = {
            "session_id": session_id,
            "product_code": product_code,
            "wanted": wanted,
            "after": after,
            "now": now,
        }
        row = (await self._session.execute(_RESERVE_FIRST_LOT, values)).one()
        return int(row.held), int(row.offered)

    async def has_free(self, product_codes: set[str]) -> bool:
        """Whether any available lot of these products has a free vial."""
        found = await self._session.scalar(
            sa.select(lots.c.id)
            .where(lots.c.product_code.in_(product_codes), lots.c.status == "available", FREE > 0)
            .limit(1)
        )
        return found is not None

    async def try_consume(self, lot_id: uuid.UUID, quantity: int) -> bool:
        """Record `quantity` unreserved vials as used if the lot has them free."""
        return await self._conditional(lot_id, quantity, consumed=lots.c.consumed + quantity)

    async def release(self, lot_id: uuid.UUID, quantity: int) -> None:
        await self._session.execute(
            sa.update(lots).where(lots.c.id == lot_id).values(reserved=lots.c.reserved - quantity)
        )

    async def reserved_to_consumed(self, lot_id: uuid.UUID, quantity: int) -> None:
        await self._session.execute(
            sa.update(lots)
            .where(lots.c.id == lot_id)
            .values(reserved=lots.c.reserved - quantity, consumed=lots.c.consumed + quantity)
        )

    async def consume_what_is_free(self, lot_id: uuid.UUID, quantity: int) -> int:
        """Count up to `quantity` vials as used, never past the lot's quantity; return how many."""
        free = await self._session.scalar(sa.select(FREE).where(lots.c.id == lot_id))
        counted = max(0, min(quantity, int(free or 0)))
        if counted and await self.try_consume(lot_id, counted):
            return counted
        return 0

    async def _conditional(
        self, lot_id: uuid.UUID, quantity: int, *also: sa.ColumnElement[bool], **values: object
    ) -> bool:
        result = await self._session.execute(
            sa.update(lots).where(lots.c.id == lot_id, quantity <= FREE, *also).values(**values)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]
