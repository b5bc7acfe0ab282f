"""SQL for alerts."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from clinic_shared.db import insert_once
from clinic_shared.outbox import Repository
from inventory.adapters.orm import alerts
from inventory.domain.alerts import Alert, AlertKind


class AlertRepository(Repository):
    async def raise_once(
        self,
        kind: AlertKind,
        key: str,
        *,
        product_code: str,
        message: str,
        now: datetime,
        lot_id: uuid.UUID | None = None,
        session_id: uuid.UUID | None = None,
    ) -> bool:
        """Store the alert unless its key exists; True when this call raised it."""
        values = {
            "id": uuid.uuid4(),
            "kind": kind,
            "dedupe_key": key,
            "status": "open",
            "product_code": product_code,
            "lot_id": lot_id,
            "session_id": session_id,
            "message": message,
            "created_at": now,
            "updated_at": now,
        }
        return await insert_once(self._session, alerts, values)

    async def reopen(self, key: str, now: datetime) -> None:
        await self._session.execute(
            sa.update(alerts)
            .where(alerts.c.dedupe_key == key, alerts.c.status == "resolved")
            .values(status="open", updated_at=now)
        )

    async def resolve(self, keys: list[str], now: datetime) -> None:
        if keys:
            await self._session.execute(
                sa.update(alerts)
                .where(alerts.c.dedupe_key.in_(keys), alerts.c.status == "open")
                .values(status="resolved", updated_at=now)
            )

    async def open_keys(self, prefix: str) -> list[str]:
        rows = await self._session.scalars(
            sa.select(alerts.c.dedupe_key).where(
                alerts.c.dedupe_key.startswith(prefix, autoescape=True), alerts.c.status == "open"
            )
        )
        return list(rows.all())

    async def exists(self, key: str) -> bool:
        """Whether an alert with this key was ever raised (open, dismissed or resolved)."""
        found = await self._session.scalar(sa.select(alerts.c.id).where(alerts.c.dedupe_key == key))
        return found is not None

    async def get(self, alert_id: uuid.UUID) -> Alert | None:
        row = (
            await self._session.execute(sa.select(alerts).where(alerts.c.id == alert_id))
        ).one_or_none()
        return Alert(**row._mapping) if row else None

    async def list_open(self) -> list[Alert]:
        rows = await self._session.execute(
            sa.select(alerts).where(alerts.c.status == "open").order_by(alerts.c.created_at)
        )
        return [Alert(**r._mapping) for r in rows]

    async def dismiss(self, alert_ids: list[uuid.UUID], now: datetime) -> None:
        await self._session.execute(
            sa.update(alerts)
            .where(alerts.c.id.in_(alert_ids), alerts.c.status == "open")
            .values(status="dismissed", updated_at=now)
        )
