"""Adjustments, recalls and alerts: what a stock manager does about the stock."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from clinic_shared.errors import Unprocessable
from inventory.entrypoints.api.alert_facts import facts_public
from inventory.entrypoints.api.deps import (
    NowDep,
    Reader,
    RuntimeDep,
    ScopeDep,
    StockStaff,
    TodayDep,
)
from inventory.entrypoints.api.lots import lot_public
from inventory.entrypoints.api.retry import committed
from inventory.entrypoints.api.schemas import LotPublic
from inventory.entrypoints.api.stock_schemas import (
    AdjustmentCreate,
    AlertPublic,
    RecallPublic,
)
from inventory.service_layer.adjustments import AdjustLot, adjust_lot, recall_lot
from inventory.service_layer.alerting import AlertNow, dismiss_alert, open_alerts

router = APIRouter(prefix="/v1", tags=["stock"])


@router.post("/adjustments", status_code=status.HTTP_201_CREATED, response_model=LotPublic)
async def adjust(
    body: AdjustmentCreate, runtime: RuntimeDep, today: TodayDep, now: NowDep, who: StockStaff
) -> LotPublic:
    """Correct a count, or remove broken or disposed vials; the lot as it now stands."""
    if body.kind != "count_correction" and body.quantity == 0:
        raise Unprocessable(
            "Removing 0 vials changes nothing.",
            errors=[{"field": "body.quantity", "reason": "must be at least 1"}],
        )
    cmd = AdjustLot(**body.model_dump())
    lot = await committed(runtime, lambda scope: adjust_lot(scope, cmd, now=now, by=who.subject))
    return lot_public(lot, today)


@router.post("/lots/{lot_id}/recall", response_model=RecallPublic)
async def recall(
    lot_id: uuid.UUID, runtime: RuntimeDep, today: TodayDep, now: NowDep, _: StockStaff
) -> RecallPublic:
    """Recall the lot: the patients treated with it and the booked sessions that held it."""
    outcome = await committed(runtime, lambda scope: recall_lot(scope, lot_id, now=now))
    return RecallPublic(
        lot=lot_public(outcome.lot, today),
        patient_ids=outcome.patient_ids,
        session_ids=outcome.session_ids,
        sessions_now_short=outcome.still_short,
    )


@router.get("/alerts", response_model=list[AlertPublic])
async def list_alerts(scope: ScopeDep, today: TodayDep, _: Reader) -> list[AlertPublic]:
    """Open alerts, oldest first: a product's shortages as one, with their count; every text
    says how things stand now."""
    return [alert_public(alert) for alert in await open_alerts(scope, today)]


@router.post("/alerts/{alert_id}/dismiss", response_model=AlertPublic)
async def dismiss(
    alert_id: uuid.UUID, scope: ScopeDep, now: NowDep, today: TodayDep, _: StockStaff
) -> AlertPublic:
    """Dismiss the alert with those grouped with it (its kind and product: every shortage or
    expiring lot of the product), at once; dismissing a group already dismissed changes nothing."""
    alert = await dismiss_alert(scope, alert_id, now, today)
    await scope.uow.commit()
    return alert_public(alert)


def alert_public(alert: AlertNow) -> AlertPublic:
    first = alert.group.first
    return AlertPublic(
        id=first.id,
        kind=first.kind,
        severity=first.severity,
        status=first.status,
        product_code=first.product_code,
        product_name=alert.product_name,
        lot_id=first.lot_id,
        session_id=alert.session_ids[0] if alert.session_ids else None,
        session_ids=alert.session_ids,
        count=alert.group.count,
        message=alert.message,
        facts=facts_public(alert.facts) if alert.facts is not None else None,
        created_at=first.created_at,
    )
