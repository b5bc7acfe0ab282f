"""Completing a session: for each product of the treatment's kit, the lot used and how many."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from dashboard.clients import ServiceProblem, Services
from dashboard.deps import ServicesDep, page_router
from dashboard.i18n import _
from dashboard.lot_numbers import refusal_reason, resolve_typed
from dashboard.pages.agenda_actions import Clinical, done, session_facts
from dashboard.web import render
from dashboard.wording import outcome_error

router = page_router(prefix="/agenda/sessions/{session_id}", tags=["agenda"])


async def _kit_lines(services: Services, treatment: str, session_id: uuid.UUID) -> list[Any]:
    """Each kit product with its usable lots and the lot reserved for this session, if any."""
    kit, reserved, products = await asyncio.gather(
        services.inventory.get(f"/v1/kits/{treatment}"),
        services.inventory.get("/v1/reservations", session_id=str(session_id)),
        services.inventory.get("/v1/products"),
    )
    names = {p["code"]: p["name"] for p in products}
    codes = [item["product_code"] for item in kit["items"]]
    lots = await asyncio.gather(
        *(services.inventory.get_all("/v1/lots", product_code=c, status="available") for c in codes)
    )
    held = {r["product_code"]: r["lot_number"] for r in reserved if r["status"] == "reserved"}
    return [
        item
        | {"name": names.get(item["product_code"], item["product_code"])}
        | {"lots": product_lots, "reserved_lot": held.get(item["product_code"])}
        for item, product_lots in zip(kit["items"], lots, strict=True)
    ]


async def _panel(
    request: Request, services: Services, session_id: uuid.UUID, **extra: Any
) -> HTMLResponse:
    facts = await session_facts(services, session_id)
    lines = await _kit_lines(services, facts["course"]["treatment_code"], session_id)
    return render(request, "agenda/_complete.html", facts | {"lines": lines} | extra)


@router.get("/complete", response_class=HTMLResponse)
async def complete_form(
    request: Request, session_id: uuid.UUID, _user: Clinical, services: ServicesDep
) -> HTMLResponse:
    return await _panel(request, services, session_id)


def _products_used(form: dict[str, str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The `lot_<code>` and `quantity_<code>` pairs of the form, or the fields at fault."""
    used, errors = [], {}
    for code in form.get("products", "").split(","):
        lot, quantity = form.get(f"lot_{code}", ""), form.get(f"quantity_{code}", "")
        if not code or (not lot and quantity in {"", "0"}):
            continue
        if not lot:
            errors[f"lot_{code}"] = _("Choose the lot the vials came from.")
        elif not quantity.isdigit() or not 1 <= int(quantity) <= 100:
            errors[f"quantity_{code}"] = _("Enter how many vials were used (1 to 100).")
        else:
            used.append({"product_code": code, "lot_number": lot, "quantity": int(quantity)})
    return used, errors


async def _session_day(services: Services, session_id: uuid.UUID, request: Request) -> date:
    session = await services.scheduling.get(f"/v1/sessions/{session_id}")
    zone = request.app.state.settings.zone
    return datetime.fromisoformat(session["starts_at"]).astimezone(zone).date()


async def _typed_lots(
    request: Request, services: Services, session_id: uuid.UUID, form: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The form with each scanned or typed lot number in place of the lot chosen in the list,
    and the `typed_<code>` fields whose lot inventory refuses for this session."""
    codes = [code for code in form.get("products", "").split(",") if code]
    typed = {c: form[f"typed_{c}"].strip() for c in codes if form.get(f"typed_{c}", "").strip()}
    if not typed:
        return form, {}
    on, products = await asyncio.gather(
        _session_day(services, session_id, request), services.inventory.get("/v1/products")
    )
    names = {p["code"]: p["name"] for p in products}
    found, refused = await resolve_typed(services, on, typed, names)
    chosen = form | {f"lot_{code}": number for code, number in found.items()}
    return chosen, {f"typed_{code}": reason for code, reason in refused.items()}


def _refused_lines(problem: ServiceProblem, form: dict[str, str]) -> dict[str, str]:
    """Scheduling's refusal of lots (inventory said no between the check and the completion),
    beside the field each lot came from; empty for any other refusal."""
    fields = {}
    for line in problem.body.get("errors") or []:
        code = line.get("product_code") if isinstance(line, dict) else None
        if not code or not line.get("refusal"):
            continue
        name = f"typed_{code}" if form.get(f"typed_{code}", "").strip() else f"lot_{code}"
        fields[name] = refusal_reason(line | {"reason": line["refusal"]}, code, {})
    return fields


@router.post("/complete")
async def complete(
    request: Request, session_id: uuid.UUID, _user: Clinical, services: ServicesDep
) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    chosen, errors = await _typed_lots(request, services, session_id, form)
    used, wrong = _products_used(chosen)
    errors |= wrong
    if not errors:
        try:
            body = {"products_used": used}
            await services.scheduling.post(f"/v1/sessions/{session_id}/complete", body)
        except ServiceProblem as exc:
            zone = request.app.state.settings.zone
            errors = _refused_lines(exc, form) or {"form": outcome_error(exc, zone)}
    if errors:
        return await _panel(request, services, session_id, errors=errors, entered=form)
    return done(request, _("The session is completed."))
