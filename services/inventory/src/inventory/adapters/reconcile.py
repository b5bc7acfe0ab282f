"""SQL of reconciliation: inventory's copy of many sessions at once, and every kit."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection

import sqlalchemy as sa

from clinic_shared.outbox import Repository
from inventory.adapters.orm import kit_items, reservations, sessions, shortages
from inventory.domain.reconcile import Projected


class ProjectionRepository(Repository):
    async def projected(self, session_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Projected]:
        """The sessions among `session_ids` known here, each with what it plans for by product
        (vials reserved plus vials short); three statements for the lot."""
        ids = list(session_ids)
        if not ids:
            return {}
        planned: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
        held = sa.select(
            reservations.c.session_id,
            reservations.c.product_code,
            sa.func.sum(reservations.c.quantity),
        ).where(reservations.c.session_id.in_(ids), reservations.c.status == "reserved")
        for session_id, product, quantity in await self._session.execute(
            held.group_by(reservations.c.session_id, reservations.c.product_code)
        ):
            planned[session_id][product] = int(quantity)
        short = sa.select(shortages.c.session_id, shortages.c.product_code, shortages.c.quantity)
        for session_id, product, quantity in await self._session.execute(
            short.where(shortages.c.session_id.in_(ids))
        ):
            planned[session_id][product] = planned[session_id].get(product, 0) + quantity
        rows = await self._session.execute(
            sa.select(
                sessions.c.session_id, sessions.c.starts_at, sessions.c.status, sessions.c.sequence
            ).where(sessions.c.session_id.in_(ids))
        )
        return {
            row.session_id: Projected(
                row.starts_at, row.status, row.sequence, planned.get(row.session_id, {})
            )
            for row in rows
        }

    async def kits(self) -> dict[str, dict[str, int]]:
        """Every treatment's kit: product code to vials per session."""
        kits: dict[str, dict[str, int]] = defaultdict(dict)
        for row in await self._session.execute(sa.select(kit_items)):
            kits[row.treatment_code][row.product_code] = row.quantity
        return dict(kits)
