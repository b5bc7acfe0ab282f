"""SQL the daily scan reads and writes."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from clinic_shared.outbox import Repository
from inventory.adapters.orm import lots, receipts

FREE = lots.c.quantity - lots.c.reserved - lots.c.consumed


class ScanRepository(Repository):
    async def mark_expired(self, today: date) -> int:
        """Mark available lots past their expiry date as expired; return how many."""
        result = await self._session.execute(
            sa.update(lots)
            .where(lots.c.status == "available", lots.c.expires_on <= today)
            .values(status="expired")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def expiring_with_free_vials(self, today: date, until: date) -> list[Any]:
        rows = await self._session.execute(
            sa.select(
                lots.c.id,
                lots.c.product_code,
                lots.c.lot_number,
                lots.c.expires_on,
                FREE.label("free"),
            )
            .where(
                lots.c.status == "available",
                lots.c.expires_on > today,
                lots.c.expires_on <= until,
                FREE > 0,
            )
            .order_by(lots.c.expires_on, lots.c.lot_number)
        )
        return list(rows)

    async def receipt_count(self, product_code: str) -> int:
        """How many deliveries of the product arrived: each starts a new reorder epoch."""
        count = await self._session.scalar(
            sa.select(sa.func.count())
            .select_from(receipts.join(lots, lots.c.id == receipts.c.lot_id))
            .where(lots.c.product_code == product_code)
        )
        return int(count or 0)
