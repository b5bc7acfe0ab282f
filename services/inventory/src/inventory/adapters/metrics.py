"""The stock as /metrics shows it: read at each scrape, labelled by product code and alert kind."""

from __future__ import annotations

from datetime import datetime
from typing import get_args
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared.metrics import Reading, StateGauge
from inventory.adapters.orm import (
    alerts,
    lots,
    products,
    purchase_order_lines,
    purchase_orders,
    shortages,
)
from inventory.domain.alerts import AlertKind
from inventory.domain.orders import OPEN_STATUSES


def stock_gauges(zone: ZoneInfo) -> tuple[StateGauge, ...]:
    """Vials free and reserved per product, the safety stock, vials short, vials on open
    purchase orders, open alerts."""

    async def vials(session: AsyncSession, now: datetime) -> Reading:
        today = now.astimezone(zone).date()
        usable = sa.and_(lots.c.status == "available", lots.c.expires_on > today)
        free = sa.func.sum(sa.case((usable, lots.c.quantity - lots.c.reserved - lots.c.consumed)))
        rows = await session.execute(
            sa.select(products.c.code, free, sa.func.sum(lots.c.reserved))
            .select_from(products.outerjoin(lots, lots.c.product_code == products.c.code))
            .group_by(products.c.code)
        )
        reading: dict[tuple[str, ...], float] = {}
        for code, available, reserved in rows:
            reading[(code, "available")] = available or 0
            reading[(code, "reserved")] = reserved or 0
        return reading

    return (
        StateGauge(
            "clinic_stock_vials",
            "Vials per product: available (free in usable lots) or reserved for booked sessions.",
            ("product", "state"),
            vials,
        ),
        StateGauge(
            "clinic_stock_safety_vials",
            "The safety stock set for each product.",
            ("product",),
            _safety_stock,
        ),
        StateGauge(
            "clinic_stock_short_vials",
            "Vials that booked sessions still lack, per product.",
            ("product",),
            _short_vials,
        ),
        StateGauge(
            "clinic_purchase_order_vials_due",
            "Vials ordered and not received yet, per product and open order status (draft, "
            "sent, partially_received); 0 when none. A draft is not with the supplier yet.",
            ("product", "status"),
            _vials_on_order,
        ),
        StateGauge("clinic_stock_open_alerts", "Open stock alerts, by kind.", ("kind",), _alerts),
    )


async def _safety_stock(session: AsyncSession, _: datetime) -> Reading:
    rows = await session.execute(sa.select(products.c.code, products.c.safety_stock))
    return {(code, ): safety for code, safety in rows}  # fmt: skip


async def _short_vials(session: AsyncSession, _: datetime) -> Reading:
    rows = await session.execute(
        sa.select(products.c.code, sa.func.coalesce(sa.func.sum(shortages.c.quantity), 0))
        .select_from(products.outerjoin(shortages, shortages.c.product_code == products.c.code))
        .group_by(products.c.code)
    )
    return {(code,): short for code, short in rows}


async def _vials_on_order(session: AsyncSession, _: datetime) -> Reading:
    """Every product with every open status, so an alert rule can tell "none on order" (0) from
    a scrape that failed (absent)."""
    due = sa.func.greatest(purchase_order_lines.c.quantity - purchase_order_lines.c.received, 0)
    rows = await session.execute(
        sa.select(purchase_order_lines.c.product_code, purchase_orders.c.status, sa.func.sum(due))
        .join(purchase_orders, purchase_orders.c.id == purchase_order_lines.c.order_id)
        .where(purchase_orders.c.status.in_(OPEN_STATUSES))
        .group_by(purchase_order_lines.c.product_code, purchase_orders.c.status)
    )
    codes = (await session.scalars(sa.select(products.c.code))).all()
    reading: dict[tuple[str, ...], float] = {
        (code, status): 0 for code in codes for status in OPEN_STATUSES
    }
    reading |= {(code, status): vials for code, status, vials in rows}
    return reading


async def _alerts(session: AsyncSession, _: datetime) -> Reading:
    rows = await session.execute(
        sa.select(alerts.c.kind, sa.func.count())
        .where(alerts.c.status == "open")
        .group_by(alerts.c.kind)
    )
    counts: dict[str, int] = dict.fromkeys(get_args(AlertKind), 0)
    counts |= {kind: count for kind, count in rows}
    return {(kind,): count for kind, count in counts.items()}
