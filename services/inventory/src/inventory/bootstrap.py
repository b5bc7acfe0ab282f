"""The one place inventory is wired."""

from __future__ import annotations

from fastapi import FastAPI

from clinic_shared.messaging import MessageBus
from clinic_shared.outbox import scoped_handlers
from clinic_shared.reconcile import reconcile_router
from clinic_shared.web import build_service_app
from inventory.adapters.metrics import stock_gauges
from inventory.adapters.orm import metadata
from inventory.entrypoints.api import (
    export,
    forecast,
    lots,
    patients,
    products,
    purchase_orders,
    reports,
    stock,
    suppliers,
    traceability,
)
from inventory.entrypoints.reconcile import reconciler
from inventory.entrypoints.workers import build_workers
from inventory.seed import demo_seeder
from inventory.service_layer.handlers import EVENT_HANDLERS
from inventory.service_layer.scans import ReorderReviews
from inventory.service_layer.scope import make_scope
from inventory.settings import InventorySettings


def build_app(settings: InventorySettings | None = None, bus: MessageBus | None = None) -> FastAPI:
    settings = settings or InventorySettings()
    # the consumer's stock changes, reviewed by one worker
    reviews = ReorderReviews(settings.reorder_review_pause_seconds)
    app = build_service_app(
        settings,
        title="Inventory",
        description="Vials by lot and expiry, reservations, consumption and reorders.",
        metadata=metadata,
        migrations_location="inventory:migrations",
        routers=[
            patients.router,
            export.router,
            products.router,
            lots.router,
            stock.router,
            forecast.router,
            traceability.router,
            reconcile_router(reconciler),
            suppliers.router,
            purchase_orders.router,
            purchase_orders.proposals_router,
            reports.router,
        ],
        handlers=scoped_handlers(EVENT_HANDLERS, make_scope(settings, reviews)),
        seed=demo_seeder(settings),
        workers=build_workers(settings, reviews),
        bus=bus,
        state_gauges=stock_gauges(settings.zone),
    )
    app.state.reorder_reviews = reviews
    return app
