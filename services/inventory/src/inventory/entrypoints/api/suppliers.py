"""Supplier routes: who stock is bought from, and on what terms per product."""

from __future__ import annotations

import uuid
from decimal import Decimal

from fastapi import APIRouter, status

from inventory.domain.suppliers import Supplier, SupplyTerms
from inventory.entrypoints.api.deps import NowDep, ScopeDep, StockStaff
from inventory.entrypoints.api.supplier_schemas import SupplierBody, SupplierPublic
from inventory.service_layer import suppliers

router = APIRouter(prefix="/v1", tags=["purchasing"])


@router.get("/suppliers", response_model=list[SupplierPublic])
async def list_suppliers(scope: ScopeDep, _: StockStaff) -> list[SupplierPublic]:
    return [SupplierPublic.model_validate(s) for s in await suppliers.list_suppliers(scope)]


@router.post("/suppliers", status_code=status.HTTP_201_CREATED, response_model=SupplierPublic)
async def add_supplier(
    body: SupplierBody, scope: ScopeDep, now: NowDep, _: StockStaff
) -> SupplierPublic:
    """Add a supplier with its terms per product (lead time, pack size, minimum order, price)."""
    added = await suppliers.add_supplier(scope, _supplier(uuid.uuid4(), body), now=now)
    await scope.uow.commit()
    return SupplierPublic.model_validate(added)


@router.get("/suppliers/{supplier_id}", response_model=SupplierPublic)
async def read_supplier(supplier_id: uuid.UUID, scope: ScopeDep, _: StockStaff) -> SupplierPublic:
    return SupplierPublic.model_validate(await suppliers.get_supplier(scope, supplier_id))


@router.put("/suppliers/{supplier_id}", response_model=SupplierPublic)
async def replace_supplier(
    supplier_id: uuid.UUID, body: SupplierBody, scope: ScopeDep, _: StockStaff
) -> SupplierPublic:
    """Set the supplier's name, email and terms; a product left out is no longer supplied."""
    replaced = await suppliers.replace_supplier(scope, _supplier(supplier_id, body))
    await scope.uow.commit()
    return SupplierPublic.model_validate(replaced)


def _supplier(supplier_id: uuid.UUID, body: SupplierBody) -> Supplier:
    terms = tuple(
        SupplyTerms(
            product_code=t.product_code,
            lead_time_days=t.lead_time_days,
            pack_size=t.pack_size,
            minimum_order=t.minimum_order,
            unit_price=None if t.unit_price is None else round(Decimal(str(t.unit_price)), 2),
            preferred=t.preferred,
        )
        for t in body.products
    )
    return Supplier(supplier_id, body.name, body.email, terms)
