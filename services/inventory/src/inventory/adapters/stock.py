"""The lot counters, changed only by conditional UPDATEs: the heart of never overselling.

Each UPDATE re-checks what it needs in its WHERE clause, so two transactions racing for the last
vial cannot both win: the second waits for the first's row lock and then finds the
condition false. The CHECK on `lots` is the backstop.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from clinic_shared.outbox import Repository
from inventory.adapters.orm import lots

FREE = lots.c.quantity - lots.c.reserved - lots.c.consumed


class StockRepository(Repository):
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
