"""Stock: per product what is on hand and when it runs out; lots; receive, adjust, recall."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clinic_shared.auth import Role
from dashboard.accounts.service import SignedIn
from dashboard.clients import ServiceProblem, Services
from dashboard.deps import CsrfChecked, ServicesDep, require_roles
from dashboard.web import form_errors, render

router = APIRouter(tags=["stock"])
StockStaff = frozenset({Role.ADMIN, Role.STOCK_MANAGER})
Reader = Annotated[SignedIn, Depends(require_roles(*StockStaff, Role.PRACTITIONER))]
Manager = Annotated[SignedIn, Depends(require_roles(*StockStaff))]


async def _forms(services: Services) -> dict[str, Any]:
    return {
        "products": await services.inventory.get("/v1/products"),
        "lots": await services.inventory.get_all("/v1/lots", status="available"),
    }


async def _page(
    request: Request, user: SignedIn, services: Services, **context: Any
) -> HTMLResponse:
    status = 422 if context.get("errors") or context.get("adjust_errors") else 200
    context = await _forms(services) | {"can_change": user.account.role in StockStaff} | context
    return render(request, "stock/page.html", context, status_code=status)


@router.get("/stock", response_class=HTMLResponse)
async def stock_page(
    request: Request, user: Reader, services: ServicesDep, product: str = "", done: str = ""
) -> HTMLResponse:
    return await _page(request, user, services, receipt={"product_code": product}, done=done)


@router.get("/stock/partial", response_class=HTMLResponse)
async def stock_partial(request: Request, user: Reader, services: ServicesDep) -> HTMLResponse:
    products = {p["code"]: p for p in await services.inventory.get("/v1/products")}
    context = {
        "stock": await services.inventory.get("/v1/stock"),
        "products": products,
        "lots": await services.inventory.get_all("/v1/lots"),
        "can_change": user.account.role in StockStaff,
    }
    return render(request, "stock/_partial.html", context)


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v).strip() for k, v in (await request.form()).items() if k != "csrf_token"}


def _number(value: str) -> int | str:
    return int(value) if value.isdigit() else value


@router.post("/stock/receipts", response_class=HTMLResponse, response_model=None)
async def receive(
    request: Request, user: CsrfChecked, services: ServicesDep, _allowed: Manager
) -> Response:
    form = await _form(request)
    body = form | {"quantity": _number(form.get("quantity", ""))}
    try:
        lot = await services.inventory.post("/v1/receipts", body)
    except ServiceProblem as exc:
        return await _page(request, user, services, errors=form_errors(exc), receipt=form)
    return RedirectResponse(f"/stock?done=Received+lot+{lot['lot_number']}", status_code=303)


@router.post("/stock/adjustments", response_class=HTMLResponse, response_model=None)
async def adjust(
    request: Request, user: CsrfChecked, services: ServicesDep, _allowed: Manager
) -> Response:
    form = await _form(request)
    body = form | {"quantity": _number(form.get("quantity", ""))}
    try:
        lot = await services.inventory.post("/v1/adjustments", body)
    except ServiceProblem as exc:
        return await _page(request, user, services, adjust_errors=form_errors(exc), adjustment=form)
    return RedirectResponse(f"/stock?done=Adjusted+lot+{lot['lot_number']}", status_code=303)


@router.post("/stock/lots/{lot_id}/recall", response_class=HTMLResponse)
async def recall(
    request: Request, user: CsrfChecked, services: ServicesDep, _allowed: Manager, lot_id: UUID
) -> HTMLResponse:
    outcome = await services.inventory.post(f"/v1/lots/{lot_id}/recall")
    lot = outcome["lot"]
    # Names only, asked of the recall: a stock manager reads no patient record or contact.
    patients = await services.scheduling.get(
        "/v1/recalls/patients", product_code=lot["product_code"], lot_number=lot["lot_number"]
    )
    context = {
        "outcome": outcome,
        "patients": patients,
        "opens_patients": user.account.role in {Role.ADMIN, Role.RECEPTIONIST},
    }
    return render(request, "stock/recalled.html", context)
