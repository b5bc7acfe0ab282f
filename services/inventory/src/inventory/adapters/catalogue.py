"""SQL for products and kits."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import sqlalchemy as sa

from clinic_shared.outbox import Repository
from inventory.adapters.orm import kit_items, products
from inventory.domain.catalogue import KitLine, Product


class ProductRepository(Repository):
    async def get(self, code: str) -> Product | None:
        row = (
            await self._session.execute(sa.select(products).where(products.c.code == code))
        ).one_or_none()
        return Product(**row._mapping) if row else None

    async def list(self) -> list[Product]:
        rows = await self._session.execute(sa.select(products).order_by(products.c.code))
        return [Product(**r._mapping) for r in rows]

    async def codes(self) -> set[str]:
        return set((await self._session.scalars(sa.select(products.c.code))).all())

    async def add(self, product: Product) -> None:
        await self._session.execute(sa.insert(products).values(**asdict(product)))

    async def update(self, code: str, changes: dict[str, Any]) -> None:
        await self._session.execute(
            sa.update(products).where(products.c.code == code).values(**changes)
        )


class KitRepository(Repository):
    async def get(self, treatment_code: str) -> list[KitLine]:
        rows = await self._session.execute(
            sa.select(kit_items.c.product_code, kit_items.c.quantity)
            .where(kit_items.c.treatment_code == treatment_code)
            .order_by(kit_items.c.product_code)
        )
        return [KitLine(r.product_code, r.quantity) for r in rows]

    async def treatment_codes(self) -> set[str]:
        return set(
            (await self._session.scalars(sa.select(kit_items.c.treatment_code).distinct())).all()
        )

    async def replace(self, treatment_code: str, lines: list[KitLine]) -> None:
        await self._session.execute(
            sa.delete(kit_items).where(kit_items.c.treatment_code == treatment_code)
        )
        if lines:
            await self._session.execute(
                sa.insert(kit_items),
                [{"treatment_code": treatment_code, **asdict(line)} for line in lines],
            )
