"""Product and kit routes: the catalogue stock is kept in."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Path, status

from inventory.domain.catalogue import KitLine, Product
from inventory.entrypoints.api.deps import (
    NowDep,
    Reader,
    RuntimeDep,
    ScopeDep,
    StockStaff,
    TreatmentsDep,
)
from inventory.entrypoints.api.retry import committed
from inventory.entrypoints.api.schemas import (
    KitBody,
    KitItem,
    KitPublic,
    ProductCreate,
    ProductPublic,
    ProductUpdate,
)
from inventory.service_layer import catalogue, kit_changes

router = APIRouter(prefix="/v1", tags=["catalogue"])
TreatmentCode = Path(min_length=2, max_length=50, pattern=r"^[a-z0-9][a-z0-9-]*$")


@router.get("/products", response_model=list[ProductPublic])
async def list_products(scope: ScopeDep, _: Reader) -> list[ProductPublic]:
    products = await catalogue.list_products(scope)
    return [ProductPublic.model_validate(p) for p in products]


@router.post("/products", status_code=status.HTTP_201_CREATED, response_model=ProductPublic)
async def create_product(body: ProductCreate, scope: ScopeDep, _: StockStaff) -> ProductPublic:
    product = await catalogue.create_product(scope, Product(**body.model_dump()))
    await scope.uow.commit()
    return ProductPublic.model_validate(product)


@router.get("/products/{code}", response_model=ProductPublic)
async def read_product(code: str, scope: ScopeDep, _: Reader) -> ProductPublic:
    return ProductPublic.model_validate(await catalogue.get_product(scope, code))


@router.patch("/products/{code}", response_model=ProductPublic)
async def update_product(
    code: str, body: ProductUpdate, scope: ScopeDep, _: StockStaff
) -> ProductPublic:
    """Change a product's settings; fields left out keep their value."""
    product = await catalogue.update_product(scope, code, body.model_dump(exclude_unset=True))
    await scope.uow.commit()
    return ProductPublic.model_validate(product)


@router.get("/kits/{treatment_code}", response_model=KitPublic)
async def read_kit(scope: ScopeDep, _: Reader, treatment_code: str = TreatmentCode) -> KitPublic:
    lines = await catalogue.get_kit(scope, treatment_code)
    return _kit(treatment_code, lines)


@router.put("/kits/{treatment_code}", response_model=KitPublic)
async def replace_kit(
    body: KitBody,
    runtime: RuntimeDep,
    now: NowDep,
    treatments: TreatmentsDep,
    _: StockStaff,
    treatment_code: str = TreatmentCode,
) -> KitPublic:
    """Set the products and quantities one session of the treatment uses; its sessions booked
    from now on hold the new kit, or are short of it, and give back what it no longer uses.
    A treatment with no kit yet must be one scheduling holds (404 otherwise)."""
    lines = [KitLine(i.product_code, i.quantity) for i in body.items]
    saved = await committed(
        runtime,
        lambda scope: kit_changes.replace_kit(
            scope, treatment_code, lines, now=now, treatments=treatments
        ),
    )
    return _kit(treatment_code, saved)


def _kit(treatment_code: str, lines: list[KitLine]) -> KitPublic:
    items = [KitItem(**asdict(line)) for line in lines]
    return KitPublic(treatment_code=treatment_code, items=items)
