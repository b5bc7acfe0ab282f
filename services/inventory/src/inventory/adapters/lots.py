"""SQL for lots and receipts."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from clinic_shared.db import insert_once
from clinic_shared.outbox import Repository
from clinic_shared.paging import Page
from inventory.adapters.orm import adjustments, lots, receipts
from inventory.domain.lots import Lot, LotStatus, lot_key

LOT_COLUMNS = (
    lots.c.id,
    lots.c.product_code,
    lots.c.lot_number,
    lots.c.expires_on,
    lots.c.quantity,
    lots.c.reserved,
    lots.c.consumed,
    lots.c.status,
)


def _lot(row: Any) -> Lot:
    return Lot(**{c.name: row._mapping[c.name] for c in LOT_COLUMNS})


def status_filter(status: LotStatus, today: date) -> sa.ColumnElement[bool]:
    """Lots whose effective status (expiry counted) is `status`."""
    stored_available = lots.c.status == "available"
    if status == "available":
        return sa.and_(stored_available, lots.c.expires_on > today)
    if status == "expired":
        return sa.or_(
            lots.c.status == "expired", sa.and_(stored_available, lots.c.expires_on <= today)
        )
    return lots.c.status == status


class LotRepository(Repository):
    async def get(self, lot_id: uuid.UUID, *, lock: bool = False) -> Lot | None:
        """The lot; `lock` holds its row until the transaction ends."""
        query = sa.select(*LOT_COLUMNS).where(lots.c.id == lot_id)
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        return _lot(row) if row else None

    async def by_number(self, product_code: str, lot_number: str) -> Lot | None:
        """The product's lot of that number, whatever its case and stray spaces."""
        row = (
            await self._session.execute(
                sa.select(*LOT_COLUMNS).where(
                    lots.c.product_code == product_code, lots.c.lot_key == lot_key(lot_number)
                )
            )
        ).one_or_none()
        return _lot(row) if row else None

    async def list(
        self, *, today: date, product_code: str | None, status: LotStatus | None, page: Page
    ) -> list[Lot]:
        query = sa.select(*LOT_COLUMNS).order_by(
            lots.c.product_code, lots.c.expires_on, lots.c.lot_number
        )
        if product_code is not None:
            query = query.where(lots.c.product_code == product_code)
        if status is not None:
            query = query.where(status_filter(status, today))
        query = query.limit(page.limit).offset(page.offset)
        return [_lot(r) for r in await self._session.execute(query)]

    async def add_unless_numbered(self, lot: Lot, *, received_at: datetime) -> bool:
        """Insert the lot unless its product already has a lot of that number (in any case);
        True if added."""
        values = {c.name: getattr(lot, c.name) for c in LOT_COLUMNS}
        values |= {"lot_key": lot_key(lot.lot_number), "received_at": received_at}
        return await insert_once(self._session, lots, values)

    async def add_quantity(self, lot_id: uuid.UUID, quantity: int) -> None:
        await self._session.execute(
            sa.update(lots).where(lots.c.id == lot_id).values(quantity=lots.c.quantity + quantity)
        )

    async def set_quantity(self, lot_id: uuid.UUID, quantity: int) -> None:
        await self._session.execute(
            sa.update(lots).where(lots.c.id == lot_id).values(quantity=quantity)
        )

    async def set_status(self, lot_id: uuid.UUID, status: LotStatus) -> None:
        await self._session.execute(
            sa.update(lots).where(lots.c.id == lot_id).values(status=status)
        )

    async def record_adjustment(
        self, lot: Lot, kind: str, new_quantity: int, reason: str, *, at: datetime, by: str
    ) -> None:
        await self._session.execute(
            sa.insert(adjustments).values(
                id=uuid.uuid4(),
                lot_id=lot.id,
                kind=kind,
                quantity_before=lot.quantity,
                quantity_after=new_quantity,
                reason=reason,
                adjusted_by=by,
                adjusted_at=at,
            )
        )

    async def record_receipt(
        self, lot_id: uuid.UUID, quantity: int, *, at: datetime, by: str
    ) -> None:
        await self._session.execute(
            sa.insert(receipts).values(
                id=uuid.uuid4(), lot_id=lot_id, quantity=quantity, received_at=at, received_by=by
            )
        )
