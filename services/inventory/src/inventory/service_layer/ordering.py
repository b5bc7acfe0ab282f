"""Draft purchase orders proposed from the forecast, one draft per preferred supplier.

Idempotent: a proposal counts what open orders (drafts included) still have due, so proposing
again adds nothing for a need already on order; a supplier has one draft (a partial unique
index), and a draft holds a product once (its key), so proposals made at once still make one
draft with one line per product.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime

from clinic_shared.contracts.events import OrderLineFacts, PurchaseOrderDrafted
from inventory.domain.alerts import overdue_key
from inventory.domain.catalogue import Product
from inventory.domain.orders import OrderLine, PurchaseOrder
from inventory.domain.sizing import OrderNeed, size_order, window_days
from inventory.domain.suppliers import Supplier, SupplyTerms
from inventory.service_layer.alerting import product_names
from inventory.service_layer.forecasting import Demand, read_demand
from inventory.service_layer.scope import Scope
from inventory.service_layer.traceability import shortages_per_product


async def propose_orders(
    scope: Scope, today: date, now: datetime, *, pace_days: int, only: Iterable[str] | None = None
) -> list[uuid.UUID]:
    """Add to each preferred supplier's draft what the forecast needs and nothing covers yet;
    the ids of the drafts that changed."""
    preferred = await scope.suppliers.preferred()
    codes = sorted(preferred if only is None else set(only) & set(preferred))
    if not codes:
        return []
    demand = await read_demand(scope, today)
    on_order = await scope.orders.on_order()
    products = {p.code: p for p in await scope.products.list()}
    short = await _short_now(scope)
    changed: dict[uuid.UUID, Supplier] = {}
    for code in codes:
        supplier, terms = preferred[code]
        need = _need(
            demand, products[code], terms, today, pace_days,
            on_order=on_order.get(code, 0), short_now=short.get(code, 0),
        )  # fmt: skip
        if need is not None and (order_id := await _add_line(scope, supplier, code, need, now)):
            changed[order_id] = supplier
    for order_id, supplier in changed.items():
        await announce_draft(scope, order_id, supplier)
    return list(changed)


async def unsupplied_needs(scope: Scope, today: date, *, pace_days: int) -> list[Product]:
    """The products the forecast needs ordered but no supplier is preferred for, so no proposal
    can draft them; sized on the product's own lead time, one vial a pack."""
    preferred = await scope.suppliers.preferred()
    products = [p for p in await scope.products.list() if p.code not in preferred]
    if not products:
        return []
    demand = await read_demand(scope, today, [p.code for p in products])
    on_order, short = await scope.orders.on_order(), await _short_now(scope)
    return [
        product
        for product in products
        if _need(
            demand,
            product,
            SupplyTerms(product.code, product.lead_time_days, pack_size=1, minimum_order=1),
            today,
            pace_days,
            on_order=on_order.get(product.code, 0),
            short_now=short.get(product.code, 0),
        )
        is not None
    ]


async def _short_now(scope: Scope) -> dict[str, int]:
    """Per product code, the vials booked sessions lack today."""
    return {code: vials for code, (_, vials, _) in (await shortages_per_product(scope)).items()}


def _need(
    demand: Demand,
    product: Product,
    terms: SupplyTerms,
    today: date,
    pace_days: int,
    *,
    on_order: int,
    short_now: int,
) -> OrderNeed | None:
    """`on_order`: the vials on order; `short_now`: those booked sessions lack now."""
    cover, lead = product.cover_days, terms.lead_time_days
    return size_order(
        demand.forecast(product.code, today, window_days(lead, cover), pace_days),
        on_hand=demand.on_hand(product.code),
        on_order=on_order,
        lead_time_days=lead,
        cover_days=cover,
        pack_size=terms.pack_size,
        minimum_order=terms.minimum_order,
        short_now=short_now,
    )


async def _add_line(
    scope: Scope, supplier: Supplier, code: str, need: OrderNeed, now: datetime
) -> uuid.UUID | None:
    """The supplier's draft (opened if it has none) with the line added; None when the draft
    already held the product (a proposal made at the same moment added it)."""
    orders = scope.orders
    await orders.add_draft_once(supplier.id, expected_on=None, now=now)
    order_id = await orders.draft_of(supplier.id)
    assert order_id is not None  # just opened, or opened by a proposal that committed first
    added = await orders.add_line_once(order_id, OrderLine(code, need.quantity, 0, need.reason))
    return order_id if added else None


async def announce_draft(scope: Scope, order_id: uuid.UUID, supplier: Supplier) -> None:
    order = await scope.orders.get(order_id)
    assert order is not None
    scope.uow.emit(
        PurchaseOrderDrafted(
            order_id=order.id,
            supplier_id=supplier.id,
            supplier_name=supplier.name,
            lines=await line_facts(scope, order),
        )
    )


async def line_facts(scope: Scope, order: PurchaseOrder) -> list[OrderLineFacts]:
    products = {p.code: p for p in await scope.products.list()}
    return [
        OrderLineFacts(
            product_code=line.product_code,
            product_name=products[line.product_code].name,
            quantity=line.quantity,
            received=line.received,
            unit=products[line.product_code].unit,
        )
        for line in order.lines
    ]


async def alert_overdue_orders(scope: Scope, today: date, now: datetime) -> int:
    """Raise an alert once per sent order still due past its expected day; how many raised."""
    raised = 0
    names = await product_names(scope)
    for order in await scope.orders.overdue(today):
        supplier = await scope.suppliers.get(order.supplier_id)
        due = [
            f"{line.due} {names.get(line.product_code, line.product_code)}"
            for line in order.lines
            if line.due
        ]
        if not due or supplier is None:
            continue
        message = (
            f"The order to {supplier.name} expected on {order.expected_on} has not arrived: "
            f"{', '.join(due)} still due."
        )
        raised += await scope.alerts.raise_once(
            "order_overdue",
            overdue_key(order.id),
            product_code=order.lines[0].product_code,
            message=message,
            now=now,
        )
    return raised
