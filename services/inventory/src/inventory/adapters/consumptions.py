"""SQL for consumption records: which lot went into which patient."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from clinic_shared.outbox import Repository
from inventory.adapters.orm import consumptions
from inventory.domain.lots import lot_key
from inventory.domain.sessions import BookedSession


class ConsumptionRepository(Repository):
    async def add(
        self,
        booked: BookedSession,
        *,
        product_code: str,
        lot_id: uuid.UUID | None,
        lot_number: str,
        quantity: int,
        at: datetime,
    ) -> None:
        await self._session.execute(
            sa.insert(consumptions).values(
                id=uuid.uuid4(),
                session_id=booked.session_id,
                patient_id=booked.patient_id,
                product_code=product_code,
                lot_id=lot_id,
                lot_number=lot_number.strip(),
                lot_key=lot_key(lot_number),
                quantity=quantity,
                consumed_at=at,
            )
        )
