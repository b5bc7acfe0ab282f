"""The catalogue every clinic starts with, and the demo clinic's stock for `make run`."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from clinic_shared.db import utcnow
from clinic_shared.outbox import UnitOfWork
from clinic_shared.runtime import Seeder
from inventory.domain.suppliers import Supplier, SupplyTerms
from inventory.service_layer.catalogue import ensure_catalogue
from inventory.service_layer.receipts import ReceiveStock, receive_stock
from inventory.service_layer.scope import Scope
from inventory.service_layer.suppliers import add_supplier
from inventory.settings import InventorySettings

# (product, lot number, days until expiry, vials): two lots of the busiest products so FEFO shows.
DEMO_LOTS = (
    ("caffeine", "CAF-2401", 45, 40),
    ("caffeine", "CAF-2417", 200, 60),
    ("l-carnitine", "LCN-2409", 120, 60),
    ("artichoke", "ART-2403", 25, 20),
    ("artichoke", "ART-2422", 300, 20),
    ("vitamin-blend", "VIT-2411", 150, 50),
    ("glycolic-acid", "GLY-2402", 180, 10),
    ("lidocaine", "LID-2406", 365, 30),
)
# The living clinic's deliveries (INVENTORY_SEED_LIVING_CLINIC, as `make run` has): enough for its
# ~40 patients' courses, past and booked, but for the multivitamin blend, which runs short in the
# weeks ahead so that the demo has a product low and its alert open, and for a small glycolic acid
# lot that expires within the warning window with no booking to use it (no cellulite kit holds
# glycolic acid), so the demo has an expiry alert open too: ART-2403's free vials go to bookings.
LIVING_LOTS = (
    ("caffeine", "CAF-2433", 240, 520),
    ("l-carnitine", "LCN-2434", 200, 420),
    ("artichoke", "ART-2435", 300, 330),
    ("vitamin-blend", "VIT-2436", 180, 240),
    ("lidocaine", "LID-2437", 365, 220),
    ("glycolic-acid", "GLY-2438", 20, 6),
)


def _terms(
    code: str, lead: int, pack: int, minimum: int, price: str, preferred: bool
) -> SupplyTerms:
    return SupplyTerms(code, lead, pack, minimum, Decimal(price), preferred)


# Who the demo clinic buys from, so "Propose orders from the forecast" drafts an order for the
# multivitamin blend the living clinic runs short of. Glycolic acid, which no kit uses, has no
# preferred supplier: proposing names it when it ever needs ordering.
DEMO_SUPPLIERS = (
    Supplier(
        uuid.UUID("5e0d1a00-0000-4000-8000-000000000001"),
        "Méso Distribution France",
        "commandes@meso-distribution.example.com",
        (
            _terms("artichoke", 5, 10, 20, "4.10", True),
            _terms("caffeine", 5, 10, 20, "3.20", True),
            _terms("l-carnitine", 5, 10, 20, "3.90", True),
            _terms("vitamin-blend", 5, 10, 20, "5.60", True),
        ),
    ),
    Supplier(
        uuid.UUID("5e0d1a00-0000-4000-8000-000000000002"),
        "Pharmacie Centrale Lyon",
        "achats@pharmacie-centrale-lyon.example.com",
        (
            _terms("lidocaine", 3, 20, 20, "2.40", True),
            _terms("vitamin-blend", 2, 5, 5, "6.90", False),
        ),
    ),
)


async def seed_demo(scope: Scope, *, living: bool = False) -> None:
    """The catalogue, and the demo lots and suppliers that are not there yet (the living
    clinic's lots too)."""
    await ensure_catalogue(scope)
    today, now = date.today(), utcnow()
    for product, number, days, vials in DEMO_LOTS + (LIVING_LOTS if living else ()):
        if await scope.lots.by_number(product, number) is None:
            cmd = ReceiveStock(product, number, today + timedelta(days=days), vials)
            await receive_stock(scope, cmd, today=today, now=now, by="demo-seed")
    for supplier in DEMO_SUPPLIERS:
        if await scope.suppliers.get(supplier.id) is None:
            await add_supplier(scope, supplier, now=now)
    await scope.uow.commit()


def demo_seeder(settings: InventorySettings) -> Seeder:
    """The seed as the runtime calls it, on a unit of work it opened."""

    async def seed(uow: UnitOfWork) -> None:
        await seed_demo(Scope(uow, settings), living=settings.seed_living_clinic)

    return seed
