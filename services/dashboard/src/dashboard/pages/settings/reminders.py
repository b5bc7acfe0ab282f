"""The reminder policy, kept by notifications: when reminders go, on which channel, quiet hours."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dashboard.clients import ServiceProblem
from dashboard.deps import AdminUser, ServicesDep, page_router
from dashboard.web import render

router = page_router(prefix="/settings", tags=["settings"])
SPARE_ROWS = 2


def _with_spares(policy: dict[str, Any]) -> dict[str, Any]:
    reminders = [*policy["reminders"], *({"offset_hours": "", "channel": ""},) * SPARE_ROWS]
    quiet = [*policy["quiet_hours"], *({"start": "", "end": ""},) * SPARE_ROWS]
    return policy | {"reminders": reminders, "quiet_hours": quiet}


def _rows(form: dict[str, str], name: str, keys: tuple[str, ...]) -> list[dict[str, str]]:
    """`name_<i>_<key>` fields as rows, leaving out rows with every field empty."""
    count = sum(1 for k in form if k.startswith(f"{name}_") and k.endswith(f"_{keys[0]}"))
    rows = [{k: form.get(f"{name}_{i}_{k}", "").strip() for k in keys} for i in range(count)]
    return [r for r in rows if any(r.values())]


def _policy(form: dict[str, str]) -> dict[str, Any]:
    reminders: list[dict[str, Any]] = _rows(form, "reminders", ("offset_hours", "channel"))
    for row in reminders:
        row["offset_hours"] = int(row["offset_hours"]) if row["offset_hours"].isdigit() else -1
    delay = form.get("aftercare_delay_minutes", "").strip()
    return {
        "reminders": reminders,
        "quiet_hours": _rows(form, "quiet_hours", ("start", "end")),
        "aftercare_delay_minutes": int(delay) if delay.isdigit() else -1,
    }


@router.get("/reminders", response_class=HTMLResponse)
async def reminders_page(
    request: Request, _allowed: AdminUser, services: ServicesDep
) -> HTMLResponse:
    policy = await services.notifications.get("/v1/policy")
    saved = request.query_params.get("saved")
    return render(
        request, "settings/reminders.html", {"policy": _with_spares(policy), "saved": saved}
    )


@router.post("/reminders")
async def save_reminders(request: Request, _allowed: AdminUser, services: ServicesDep) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    policy = _policy(form)
    try:
        await services.notifications.put("/v1/policy", policy)
    except ServiceProblem as exc:
        context = {"policy": _with_spares(policy), "errors": exc.fields or {"form": exc.detail}}
        return render(request, "settings/reminders.html", context, status_code=422)
    return RedirectResponse("/settings/reminders?saved=1", status_code=303)
