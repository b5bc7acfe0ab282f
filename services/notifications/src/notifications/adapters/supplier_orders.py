"""SQL for the purchase orders emailed to suppliers."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from clinic_shared.db import insert_once
from clinic_shared.outbox import Repository
from notifications.adapters.orm import supplier_orders


class SupplierOrderRepository(Repository):
    async def add_once(
        self, order_id: uuid.UUID, email: str, details: dict[str, Any], *, now: datetime
    ) -> bool:
        """Keep the order to email unless it is kept already; True when added."""
        values = {
            "order_id": order_id,
            "supplier_email": email,
            "details": details,
            "status": "pending",
            "attempts": 0,
            "created_at": now,
        }
        return await insert_once(self._session, supplier_orders, values)

    async def lock_pending(self, *, limit: int) -> Sequence[sa.Row[Any]]:
        """The oldest orders still to email, locked for this transaction (skipped by other
        replicas, so each is emailed by one)."""
        statement = (
            sa.select(supplier_orders)
            .where(supplier_orders.c.status == "pending")
            .order_by(supplier_orders.c.created_at, supplier_orders.c.order_id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self._session.execute(statement)).all()

    async def settle(
        self, order_id: uuid.UUID, *, status: str, error: str | None, now: datetime
    ) -> None:
        """Count the attempt; `status` stays pending after a transient failure."""
        await self._session.execute(
            sa.update(supplier_orders)
            .where(supplier_orders.c.order_id == order_id)
            .values(
                status=status,
                error=error,
                attempts=supplier_orders.c.attempts + 1,
                sent_at=now if status == "sent" else None,
            )
        )

    async def withdraw(self, order_id: uuid.UUID) -> str | None:
        """Withdraw the order's email if it has not gone; its status before (None: no row)."""
        row = (
            await self._session.execute(
                sa.select(supplier_orders.c.status)
                .where(supplier_orders.c.order_id == order_id)
                .with_for_update()
            )
        ).first()
        if row is not None and row.status == "pending":
            await self._session.execute(
                sa.update(supplier_orders)
                .where(supplier_orders.c.order_id == order_id)
                .values(status="withdrawn")
            )
        return None if row is None else str(row.status)
