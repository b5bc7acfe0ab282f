"""A clinic set up to buy glycolic acid: a kit of 4 vials, a preferred supplier, bookings."""

from __future__ import annotations

import uuid
from typing import Any

from clinic_shared.contracts.events import SessionBooked

from .conftest import STOCK, Inventory
from .events import publish, session_event

KIT = {"items": [{"product_code": "glycolic-acid", "quantity": 4}]}


def terms(product: str = "glycolic-acid", **over: Any) -> dict[str, Any]:
    base = {"product_code": product, "lead_time_days": 5, "pack_size": 10, "minimum_order": 30}
    return base | {"preferred": True} | over


async def add_supplier(
    inventory: Inventory, name: str = "Meso Pharma", email: str | None = "orders@meso.example"
) -> dict[str, Any]:
    body = {"name": name, "email": email, "products": [terms(), terms("lidocaine")]}
    added = await inventory.client.post("/v1/suppliers", json=body, headers=STOCK)
    assert added.status_code == 201, added.text
    return dict(added.json())


async def book_glycolic(inventory: Inventory, days: int, *, planned: int = 1) -> None:
    """One booked session of a one-session course (or of a longer one, whose further sessions
    the forecast expects every 10 days)."""
    event = session_event(SessionBooked, uuid.uuid4(), days=days, treatment="gly-four")
    update = {"course_id": uuid.uuid4(), "sessions_planned": planned}
    await publish(inventory, event.model_copy(update=update))


async def glycolic_clinic(inventory: Inventory) -> dict[str, Any]:
    """20 vials on hand; 6 sessions booked in 2 days (24 vials), one of them the first of 3, so
    one more (4 vials) is expected in 12 days, inside lead time 5 + cover 7: an order of 8,
    raised to the minimum of 30 (3 packs of 10)."""
    assert (await inventory.client.put("/v1/kits/gly-four", json=KIT, headers=STOCK)).is_success
    await inventory.receive("glycolic-acid", "GLY-1", 20, days=300)
    await inventory.receive("lidocaine", "LID-1", 100, days=300)
    supplier = await add_supplier(inventory)
    for _ in range(5):
        await book_glycolic(inventory, 2)
    await book_glycolic(inventory, 2, planned=3)
    return supplier
