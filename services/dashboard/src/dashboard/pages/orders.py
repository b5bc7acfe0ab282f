"""Purchase orders: drafts proposed from the forecast, edited, sent, received lot by lot."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clinic_shared.auth import Role
from dashboard.accounts.service import SignedIn
from dashboard.clients import ServiceProblem, Services
from dashboard.deps import ServicesDep, page_router, require_roles
from dashboard.i18n import N_, _, ngettext
from dashboard.web import form_errors, render

router = page_router(tags=["orders"])
Manager = Annotated[SignedIn, Depends(require_roles(Role.ADMIN, Role.STOCK_MANAGER))]
OPEN = ("draft", "sent", "partially_received")
ORDER_STATUSES = {
    "draft": N_("draft"),
    "sent": N_("sent to the supplier"),
    "partially_received": N_("partially received"),
    "received": N_("received"),
    "cancelled": N_("cancelled"),
}
DONE = {  # `?done=` after a step: a key, never words taken from the address
    "saved": N_("Draft saved"),
    "nothing": N_("Nothing to order"),
    "sent": N_("Order sent"),
    "cancelled": N_("Order cancelled"),
    "received": N_("Delivery received"),
}


async def _page(request: Request, services: Services, **context: Any) -> HTMLResponse:
    orders = await services.inventory.get("/v1/purchase-orders")
    products = {p["code"]: p for p in await services.inventory.get("/v1/products")}
    status = 422 if context.get("errors") else 200
    context = {
        "open": [o for o in orders if o["status"] in OPEN],
        "closed": [o for o in orders if o["status"] not in OPEN][:20],
        "products": products,
        "errors": {},
        "failed_order": None,
        "unsupplied": "",
        "receipt": {},
        "order_statuses": ORDER_STATUSES,
    } | context
    return render(request, "orders/page.html", context, status_code=status)


@router.get("/orders", response_class=HTMLResponse)
async def orders_page(
    request: Request,
    _allowed: Manager,
    services: ServicesDep,
    done: str = "",
    count: Annotated[int, Query(ge=0, le=1000)] = 0,
) -> HTMLResponse:
    if done == "proposed":
        words = ngettext("%(num)d draft proposed", "%(num)d drafts proposed", count) % {
            "num": count
        }
    else:
        words = _(DONE[done]) if done in DONE else ""
    unsupplied = await _unsupplied(services) if done in {"proposed", "nothing"} else ""
    return await _page(request, services, done=words, unsupplied=unsupplied)


async def _unsupplied(services: Services) -> str:
    """After a proposal: the products it could not draft for want of a preferred supplier."""
    names = [p["name"] for p in await services.inventory.get("/v1/order-proposals/unsupplied")]
    if not names:
        return ""
    return ngettext(
        "Nothing can be ordered for %(products)s: it has no preferred supplier.",
        "Nothing can be ordered for %(products)s: they have no preferred supplier.",
        len(names),
    ) % {"products": ", ".join(names)}


def _done(key: str, count: int = 0) -> RedirectResponse:
    return RedirectResponse(f"/orders?done={key}" + (f"&count={count}" if count else ""), 303)


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v).strip() for k, v in (await request.form()).items() if k != "csrf_token"}


def _number(value: str) -> int | str:
    return int(value) if value.isdigit() else value


@router.post("/orders/proposals", response_class=HTMLResponse, response_model=None)
async def propose(_allowed: Manager, services: ServicesDep) -> Response:
    changed = await services.inventory.post("/v1/order-proposals")
    return _done("proposed", len(changed)) if changed else _done("nothing")


@router.post("/orders/{order_id}/lines", response_class=HTMLResponse, response_model=None)
async def edit(
    request: Request, _allowed: Manager, services: ServicesDep, order_id: UUID
) -> Response:
    form = await _form(request)
    lines = [
        {"product_code": name.removeprefix("qty-"), "quantity": _number(value)}
        for name, value in form.items()
        if name.startswith("qty-") and value != "0"
    ]
    try:
        await services.inventory.put(f"/v1/purchase-orders/{order_id}/lines", {"lines": lines})
    except ServiceProblem as exc:
        return await _page(request, services, errors=form_errors(exc), failed_order=str(order_id))
    return _done("saved")


@router.post("/orders/{order_id}/send", response_class=HTMLResponse, response_model=None)
async def send(
    request: Request, _allowed: Manager, services: ServicesDep, order_id: UUID
) -> Response:
    return await _step(request, services, order_id, "send", None, "sent")


@router.post("/orders/{order_id}/cancel", response_class=HTMLResponse, response_model=None)
async def cancel(
    request: Request, _allowed: Manager, services: ServicesDep, order_id: UUID
) -> Response:
    return await _step(request, services, order_id, "cancel", None, "cancelled")


@router.post("/orders/{order_id}/receipts", response_class=HTMLResponse, response_model=None)
async def receive(
    request: Request, _allowed: Manager, services: ServicesDep, order_id: UUID
) -> Response:
    """Receive one lot against the order; more than is due needs a reason."""
    form = await _form(request)
    body: dict[str, Any] = form | {"quantity": _number(form.get("quantity", ""))}
    body["over_reason"] = form.get("over_reason") or None
    return await _step(request, services, order_id, "receipts", body, "received", form)


async def _step(
    request: Request,
    services: Services,
    order_id: UUID,
    action: str,
    body: dict[str, Any] | None,
    done: str,
    form: dict[str, str] | None = None,
) -> Response:
    try:
        await services.inventory.post(f"/v1/purchase-orders/{order_id}/{action}", body)
    except ServiceProblem as exc:
        return await _page(
            request,
            services,
            errors=form_errors(exc),
            failed_order=str(order_id),
            receipt=form or {},
        )
    return _done(done)
