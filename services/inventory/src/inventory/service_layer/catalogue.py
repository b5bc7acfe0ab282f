"""Use cases on products and kits; the caller's unit of work commits."""

from __future__ import annotations

from typing import Any

from clinic_shared.errors import Conflict, NotFound
from inventory.domain.catalogue import KITS, PRODUCTS, KitLine, Product
from inventory.service_layer.scope import Scope


async def list_products(scope: Scope) -> list[Product]:
    return await scope.products.list()


async def get_product(scope: Scope, code: str, *, field: str = "path.code") -> Product:
    """The product, or NotFound naming the request field that gave its code."""
    product = await scope.products.get(code)
    if product is None:
        raise NotFound(f"No product {code!r}.", errors=[{"field": field, "reason": "unknown"}])
    return product


async def create_product(scope: Scope, product: Product) -> Product:
    repo = scope.products
    if await repo.get(product.code) is not None:
        raise Conflict(f"Product {product.code!r} already exists.")
    await repo.add(product)
    return product


async def update_product(scope: Scope, code: str, changes: dict[str, Any]) -> Product:
    await get_product(scope, code)
    if changes:
        await scope.products.update(code, changes)
    return await get_product(scope, code)


async def get_kit(scope: Scope, treatment_code: str) -> list[KitLine]:
    lines = await scope.kits.get(treatment_code)
    if not lines:
        raise NotFound(f"No kit for treatment {treatment_code!r}.")
    return lines


async def ensure_catalogue(scope: Scope) -> None:
    """Add the standard products and kits that are missing; edits already made are kept."""
    products = scope.products
    known = await products.codes()
    for product in PRODUCTS:
        if product.code not in known:
            await products.add(product)
    kits = scope.kits
    with_kits = await kits.treatment_codes()
    for treatment_code, lines in KITS.items():
        if treatment_code not in with_kits:
            await kits.replace(treatment_code, list(lines))
