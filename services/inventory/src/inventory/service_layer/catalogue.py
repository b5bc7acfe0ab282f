"""Use cases on products and kits; the caller's unit of work commits."""

from __future__ import annotations

from typing import Any

from clinic_shared.errors import Conflict, NotFound
from clinic_shared.outbox import UnitOfWork
from inventory.adapters.catalogue_repository import KitRepository, ProductRepository
from inventory.domain.catalogue import KITS, PRODUCTS, KitLine, Product, check_kit_lines


async def get_product(uow: UnitOfWork, code: str, *, field: str = "path.code") -> Product:
    """The product, or NotFound naming the request field that gave its code."""
    product = await ProductRepository(uow.session).get(code)
    if product is None:
        raise NotFound(f"No product {code!r}.", errors=[{"field": field, "reason": "unknown"}])
    return product


async def create_product(uow: UnitOfWork, product: Product) -> Product:
    repo = ProductRepository(uow.session)
    if await repo.get(product.code) is not None:
        raise Conflict(f"Product {product.code!r} already exists.")
    await repo.add(product)
    return product


async def update_product(uow: UnitOfWork, code: str, changes: dict[str, Any]) -> Product:
    await get_product(uow, code)
    if changes:
        await ProductRepository(uow.session).update(code, changes)
    return await get_product(uow, code)


async def get_kit(uow: UnitOfWork, treatment_code: str) -> list[KitLine]:
    lines = await KitRepository(uow.session).get(treatment_code)
    if not lines:
        raise NotFound(f"No kit for treatment {treatment_code!r}.")
    return lines


async def replace_kit(uow: UnitOfWork, treatment_code: str, lines: list[KitLine]) -> list[KitLine]:
    """Set what one session of the treatment uses (a new treatment code gets its first kit)."""
    check_kit_lines(lines, await ProductRepository(uow.session).codes())
    await KitRepository(uow.session).replace(treatment_code, lines)
    return await KitRepository(uow.session).get(treatment_code)


async def ensure_catalogue(uow: UnitOfWork) -> None:
    """Add the standard products and kits that are missing; edits already made are kept."""
    products = ProductRepository(uow.session)
    known = await products.codes()
    for product in PRODUCTS:
        if product.code not in known:
            await products.add(product)
    kits = KitRepository(uow.session)
    with_kits = await kits.treatment_codes()
    for treatment_code, lines in KITS.items():
        if treatment_code not in with_kits:
            await kits.replace(treatment_code, list(lines))
