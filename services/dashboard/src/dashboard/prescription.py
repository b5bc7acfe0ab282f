"""A course's prescription as the patient's page shows it: each product of the treatment's kit
with its standard vials per session and the course's own dose, and the products it adds."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from dashboard.clients import ServiceDown, ServiceProblem, Services


@dataclass(frozen=True)
class Dose:
    product_code: str
    name: str
    standard: int | None  # vials per session in the treatment's kit; None: not in the kit
    prescribed: int | None  # the course's own dose; None: the standard one

    @property
    def per_session(self) -> int:
        return self.prescribed if self.prescribed is not None else self.standard or 0

    @property
    def changed(self) -> bool:
        return self.prescribed is not None and self.prescribed != self.standard


def doses(
    kit: list[dict[str, Any]], adjustments: list[dict[str, Any]], names: dict[str, str]
) -> list[Dose]:
    """The kit's products in its order, then those the prescription adds, by name."""
    prescribed = {a["product_code"]: a["quantity"] for a in adjustments}
    standard = {item["product_code"]: item["quantity"] for item in kit}
    rows = [
        Dose(code, names.get(code, code), quantity, prescribed.get(code))
        for code, quantity in standard.items()
    ]
    added = [
        Dose(code, names.get(code, code), None, quantity)
        for code, quantity in prescribed.items()
        if code not in standard
    ]
    return rows + sorted(added, key=lambda d: d.name)


async def kits_and_names(
    services: Services, treatments: set[str]
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str]]:
    """Each treatment's kit and the products' names, from inventory; none when it is down
    (the page still shows the course's own doses, by product code)."""
    codes = sorted(treatments)
    try:
        products, *kits = await asyncio.gather(
            services.inventory.get("/v1/products"),
            *(_kit(services, code) for code in codes),
        )
    except ServiceDown:
        return {}, {}
    names = {p["code"]: p["name"] for p in products}
    return dict(zip(codes, kits, strict=True)), names


async def _kit(services: Services, treatment: str) -> list[dict[str, Any]]:
    """The treatment's kit lines; none for a treatment inventory has no kit for."""
    try:
        kit = await services.inventory.get(f"/v1/kits/{treatment}")
    except ServiceProblem as exc:
        if exc.status == 404:
            return []
        raise
    return list(kit["items"])
