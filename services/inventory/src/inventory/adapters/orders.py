"""SQL for purchase orders, their lines and the receipts made against them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from clinic_shared.db import insert_once
from clinic_shared.outbox import Repository
from inventory.adapters.orm import purchase_order_lines, purchase_order_receipts, purchase_orders
from inventory.domain.orders import OPEN_STATUSES, OrderLine, OrderStatus, PurchaseOrder

LINE_COLUMNS = (
    purchase_order_lines.c.product_code,
    purchase_order_lines.c.quantity,
    purchase_order_lines.c.received,
    purchase_order_lines.c.reason,
)
lines_ = purchase_order_lines


class OrderRepository(Repository):
    async def add_draft_once(
        self, supplier_id: uuid.UUID, *, expected_on: date | None, now: datetime
    ) -> bool:
        """Open a draft for the supplier unless it has one (one draft per supplier: the partial
        unique index); True when this call opened it."""
        values = {
            "id": uuid.uuid4(),
            "supplier_id": supplier_id,
            "status": "draft",
            "expected_on": expected_on,
            "created_at": now,
            "updated_at": now,
        }
        return await insert_once(self._session, purchase_orders, values)

    async def draft_of(self, supplier_id: uuid.UUID) -> uuid.UUID | None:
        """The supplier's draft, its row held until the transaction ends."""
        return await self._session.scalar(
            sa.select(purchase_orders.c.id)
            .where(
                purchase_orders.c.supplier_id == supplier_id, purchase_orders.c.status == "draft"
            )
            .with_for_update()
        )

    async def add_line_once(self, order_id: uuid.UUID, line: OrderLine) -> bool:
        values = {"order_id": order_id, **vars(line)}
        return await insert_once(self._session, purchase_order_lines, values)

    async def replace_lines(self, order_id: uuid.UUID, lines: Iterable[OrderLine]) -> None:
        await self._session.execute(sa.delete(lines_).where(lines_.c.order_id == order_id))
        rows = [{"order_id": order_id, **vars(line)} for line in lines]
        if rows:
            await self._session.execute(sa.insert(lines_), rows)

    async def get(self, order_id: uuid.UUID, *, lock: bool = False) -> PurchaseOrder | None:
        """The order with its lines; `lock` holds the order's row until the transaction ends, so
        receipts, edits and transitions of one order run one after the other."""
        query = sa.select(purchase_orders).where(purchase_orders.c.id == order_id)
        row = (await self._session.execute(query.with_for_update() if lock else query)).first()
        if row is None:
            return None
        return (await self._with_lines([row]))[0]

    async def find(self, *, status: OrderStatus | None = None) -> list[PurchaseOrder]:
        query = sa.select(purchase_orders).order_by(
            purchase_orders.c.created_at.desc(), purchase_orders.c.id
        )
        if status is not None:
            query = query.where(purchase_orders.c.status == status)
        return await self._with_lines(list(await self._session.execute(query)))

    async def _with_lines(self, rows: list[Any]) -> list[PurchaseOrder]:
        found: dict[uuid.UUID, list[OrderLine]] = {row.id: [] for row in rows}
        for line in await self._session.execute(
            sa.select(lines_.c.order_id, *LINE_COLUMNS)
            .where(lines_.c.order_id.in_(list(found)))
            .order_by(lines_.c.product_code)
        ):
            found[line.order_id].append(OrderLine(*line[1:]))
        return [
            PurchaseOrder(r.id, r.supplier_id, r.status, r.expected_on, tuple(found[r.id]))
            for r in rows
        ]

    async def set_status(self, order_id: uuid.UUID, status: OrderStatus, *, now: datetime) -> None:
        await self._session.execute(
            sa.update(purchase_orders)
            .where(purchase_orders.c.id == order_id)
            .values(status=status, updated_at=now)
        )

    async def mark_sent(self, order_id: uuid.UUID, *, expected_on: date, now: datetime) -> None:
        await self._session.execute(
            sa.update(purchase_orders)
            .where(purchase_orders.c.id == order_id)
            .values(status="sent", expected_on=expected_on, sent_at=now, updated_at=now)
        )

    async def add_received(self, order_id: uuid.UUID, product_code: str, quantity: int) -> None:
        await self._session.execute(
            sa.update(lines_)
            .where(lines_.c.order_id == order_id, lines_.c.product_code == product_code)
            .values(received=lines_.c.received + quantity)
        )

    async def record_receipt(self, order_id: uuid.UUID, **values: Any) -> None:
        await self._session.execute(
            sa.insert(purchase_order_receipts).values(id=uuid.uuid4(), order_id=order_id, **values)
        )

    async def on_order(self) -> dict[str, int]:
        """Vials still due on open orders (drafts included), per product."""
        due = sa.func.greatest(lines_.c.quantity - lines_.c.received, 0)
        rows = await self._session.execute(
            sa.select(lines_.c.product_code, sa.func.sum(due))
            .join(purchase_orders, purchase_orders.c.id == lines_.c.order_id)
            .where(purchase_orders.c.status.in_(OPEN_STATUSES))
            .group_by(lines_.c.product_code)
        )
        return {code: int(total) for code, total in rows}

    async def overdue(self, today: date) -> list[PurchaseOrder]:
        """Sent orders still due whose expected day has passed."""
        rows = await self._session.execute(
            sa.select(purchase_orders).where(
                purchase_orders.c.status.in_(("sent", "partially_received")),
                purchase_orders.c.expected_on < today,
            )
        )
        return await self._with_lines(list(rows))
