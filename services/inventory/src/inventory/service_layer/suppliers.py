"""Use cases on suppliers; the caller's unit of work commits."""

from __future__ import annotations

import uuid
from datetime import datetime

from clinic_shared.errors import NotFound
from inventory.domain.suppliers import Supplier, check_terms
from inventory.service_layer.scope import Scope


async def list_suppliers(scope: Scope) -> list[Supplier]:
    return await scope.suppliers.list()


async def get_supplier(scope: Scope, supplier_id: uuid.UUID) -> Supplier:
    supplier = await scope.suppliers.get(supplier_id)
    if supplier is None:
        raise NotFound(
            f"No supplier {supplier_id}.",
            errors=[{"field": "path.supplier_id", "reason": "unknown"}],
        )
    return supplier


async def add_supplier(scope: Scope, supplier: Supplier, *, now: datetime) -> Supplier:
    await _check(scope, supplier)
    await scope.suppliers.add(supplier, now=now)
    await scope.suppliers.replace_terms(supplier.id, supplier.products)
    return await get_supplier(scope, supplier.id)


async def replace_supplier(scope: Scope, supplier: Supplier) -> Supplier:
    """Set the supplier's name, email and every product's terms (products left out are no
    longer supplied by it)."""
    await get_supplier(scope, supplier.id)
    await _check(scope, supplier)
    await scope.suppliers.update(supplier)
    await scope.suppliers.replace_terms(supplier.id, supplier.products)
    return await get_supplier(scope, supplier.id)


async def _check(scope: Scope, supplier: Supplier) -> None:
    codes = [t.product_code for t in supplier.products]
    repo = scope.suppliers
    await repo.lock_products(codes)
    preferred = [t.product_code for t in supplier.products if t.preferred]
    check_terms(
        supplier.products,
        await scope.products.codes(),
        await repo.preferred_elsewhere(preferred, supplier.id),
    )
