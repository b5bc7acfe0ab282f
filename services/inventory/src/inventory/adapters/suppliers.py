"""SQL for suppliers and their terms per product."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from clinic_shared.outbox import Repository
from inventory.adapters.orm import products, supplier_products, suppliers
from inventory.domain.suppliers import Supplier, SupplyTerms

TERMS = (
    supplier_products.c.product_code,
    supplier_products.c.lead_time_days,
    supplier_products.c.pack_size,
    supplier_products.c.minimum_order,
    supplier_products.c.unit_price,
    supplier_products.c.preferred,
)


def _terms(row: Any) -> SupplyTerms:
    return SupplyTerms(**{c.name: row._mapping[c.name] for c in TERMS})


class SupplierRepository(Repository):
    async def add(self, supplier: Supplier, *, now: datetime) -> None:
        await self._session.execute(
            sa.insert(suppliers).values(
                id=supplier.id, name=supplier.name, email=supplier.email, created_at=now
            )
        )

    async def update(self, supplier: Supplier) -> None:
        await self._session.execute(
            sa.update(suppliers)
            .where(suppliers.c.id == supplier.id)
            .values(name=supplier.name, email=supplier.email)
        )

    async def replace_terms(self, supplier_id: uuid.UUID, terms: Iterable[SupplyTerms]) -> None:
        await self._session.execute(
            sa.delete(supplier_products).where(supplier_products.c.supplier_id == supplier_id)
        )
        rows = [{"supplier_id": supplier_id, **vars(t)} for t in terms]
        if rows:
            await self._session.execute(sa.insert(supplier_products), rows)

    async def get(self, supplier_id: uuid.UUID) -> Supplier | None:
        found = await self.list(only=supplier_id)
        return found[0] if found else None

    async def list(self, *, only: uuid.UUID | None = None) -> list[Supplier]:
        query = sa.select(suppliers).order_by(suppliers.c.name, suppliers.c.id)
        if only is not None:
            query = query.where(suppliers.c.id == only)
        heads = list(await self._session.execute(query))
        terms: dict[uuid.UUID, list[SupplyTerms]] = {row.id: [] for row in heads}
        rows = await self._session.execute(
            sa.select(supplier_products.c.supplier_id, *TERMS)
            .where(supplier_products.c.supplier_id.in_(list(terms)))
            .order_by(supplier_products.c.product_code)
        )
        for row in rows:
            terms[row.supplier_id].append(_terms(row))
        return [Supplier(r.id, r.name, r.email, tuple(terms[r.id])) for r in heads]

    async def lock_products(self, codes: Iterable[str]) -> None:
        """Hold the named products' rows, in code order, until the transaction ends: two
        requests setting one product's preferred supplier then run one after the other, so the
        second sees the first's choice and is refused (409) instead of failing on the index."""
        await self._session.execute(
            sa.select(products.c.code)
            .where(products.c.code.in_(sorted(set(codes))))
            .order_by(products.c.code)
            .with_for_update()
        )

    async def preferred_elsewhere(
        self, codes: Iterable[str], supplier_id: uuid.UUID
    ) -> dict[str, str]:
        """Product code -> name of the other supplier it is preferred from."""
        rows = await self._session.execute(
            sa.select(supplier_products.c.product_code, suppliers.c.name)
            .join(suppliers, suppliers.c.id == supplier_products.c.supplier_id)
            .where(
                supplier_products.c.product_code.in_(list(codes)),
                supplier_products.c.preferred,
                supplier_products.c.supplier_id != supplier_id,
            )
        )
        return {code: name for code, name in rows}

    async def preferred(self) -> dict[str, tuple[Supplier, SupplyTerms]]:
        """Product code -> its preferred supplier (without its other products) and terms."""
        rows = await self._session.execute(
            sa.select(suppliers.c.id, suppliers.c.name, suppliers.c.email, *TERMS)
            .join(suppliers, suppliers.c.id == supplier_products.c.supplier_id)
            .where(supplier_products.c.preferred)
        )
        return {
            row.product_code: (Supplier(row.id, row.name, row.email), _terms(row)) for row in rows
        }
