"""Suppliers: who stock is bought from, on what terms per product, and which supplier each
product's draft orders go to (its preferred one). Inventory judges the terms; its refusals are
shown beside the fields, with what was typed kept."""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clinic_shared.auth import Role
from dashboard.accounts.service import SignedIn
from dashboard.clients import ServiceProblem, Services
from dashboard.deps import ServicesDep, page_router, require_roles
from dashboard.i18n import N_, _
from dashboard.web import form_errors, render

router = page_router(tags=["suppliers"])
Manager = Annotated[SignedIn, Depends(require_roles(Role.ADMIN, Role.STOCK_MANAGER))]
TERMS = ("lead_time_days", "pack_size", "minimum_order", "unit_price")
DONE = {"added": N_("Supplier added"), "saved": N_("Supplier saved")}
LINE_FIELD = re.compile(r"products_(\d+)_(\w+)")


def _values(supplier: dict[str, Any]) -> dict[str, str]:
    """A supplier as its form's fields: `lead_time_days-caffeine`, `supplies-caffeine`..."""
    values = {"name": supplier["name"], "email": supplier["email"] or ""}
    for line in supplier["products"]:
        code = line["product_code"]
        values[f"supplies-{code}"] = "on"
        values |= {f"{name}-{code}": str(line[name] or "") for name in TERMS}
        if line["preferred"]:
            values[f"preferred-{code}"] = "on"
    return values


def _number(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _price(value: str) -> float | str | None:
    if not value:
        return None
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return value  # inventory refuses it, beside the field


def _body(form: dict[str, str], codes: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The supplier's body and the product code of each of its lines, in order."""
    supplied = [code for code in codes if form.get(f"supplies-{code}")]
    lines = [
        {
            "product_code": code,
            "lead_time_days": _number(form.get(f"lead_time_days-{code}", "")),
            "pack_size": _number(form.get(f"pack_size-{code}", "")),
            "minimum_order": _number(form.get(f"minimum_order-{code}", "") or "1"),
            "unit_price": _price(form.get(f"unit_price-{code}", "")),
            "preferred": bool(form.get(f"preferred-{code}")),
        }
        for code in supplied
    ]
    body = {"name": form.get("name", ""), "email": form.get("email") or None, "products": lines}
    return body, supplied


def _errors(exc: ServiceProblem, supplied: list[str]) -> dict[str, str]:
    """Inventory's refusal by form field: `products_2_pack_size` is `pack_size-<third code>`."""
    errors = {}
    for name, reason in form_errors(exc).items():
        line = LINE_FIELD.fullmatch(name)
        if line and int(line[1]) < len(supplied):
            name = f"{line[2]}-{supplied[int(line[1])]}"
        errors[name] = reason
    if "email" in errors:
        errors["email"] = _("Enter an email address such as orders@supplier.example.")
    return errors


async def _page(
    request: Request, services: Services, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    products = await services.inventory.get("/v1/products")
    context = {"products": products, "values": {}, "errors": {}} | context
    return render(request, f"suppliers/{template}", context, status_code=status_code)


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v).strip() for k, v in (await request.form()).items() if k != "csrf_token"}


@router.get("/suppliers", response_class=HTMLResponse)
async def suppliers_page(
    request: Request, _allowed: Manager, services: ServicesDep, done: str = ""
) -> HTMLResponse:
    listed = await services.inventory.get("/v1/suppliers")
    words = _(DONE[done]) if done in DONE else ""
    return await _page(request, services, "page.html", suppliers=listed, done=words)


@router.post("/suppliers", response_class=HTMLResponse, response_model=None)
async def add(request: Request, _allowed: Manager, services: ServicesDep) -> Response:
    form = await _form(request)
    products = await services.inventory.get("/v1/products")
    body, supplied = _body(form, [p["code"] for p in products])
    try:
        await services.inventory.post("/v1/suppliers", body)
    except ServiceProblem as exc:
        listed = await services.inventory.get("/v1/suppliers")
        errors = _errors(exc, supplied)
        return await _page(
            request, services, "page.html", 422, suppliers=listed, values=form, errors=errors
        )
    return RedirectResponse("/suppliers?done=added", 303)


@router.get("/suppliers/{supplier_id}", response_class=HTMLResponse)
async def edit_page(
    request: Request, _allowed: Manager, services: ServicesDep, supplier_id: UUID
) -> HTMLResponse:
    supplier = await services.inventory.get(f"/v1/suppliers/{supplier_id}")
    return await _page(request, services, "edit.html", supplier=supplier, values=_values(supplier))


@router.post("/suppliers/{supplier_id}", response_class=HTMLResponse, response_model=None)
async def save(
    request: Request, _allowed: Manager, services: ServicesDep, supplier_id: UUID
) -> Response:
    form = await _form(request)
    products = await services.inventory.get("/v1/products")
    body, supplied = _body(form, [p["code"] for p in products])
    try:
        await services.inventory.put(f"/v1/suppliers/{supplier_id}", body)
    except ServiceProblem as exc:
        supplier = await services.inventory.get(f"/v1/suppliers/{supplier_id}")
        errors = _errors(exc, supplied)
        return await _page(
            request, services, "edit.html", 422, supplier=supplier, values=form, errors=errors
        )
    return RedirectResponse("/suppliers?done=saved", 303)
