"""A patient's self-service page, `/p/{token}`: no sign-in, the link is the key. It shows the
course's upcoming sessions and posts back here; scheduling judges every change as the link's."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clinic_shared.patient_links import InvalidLink, read_link
from clinic_shared.ratelimit import StoredRateLimiter, client_address
from dashboard.clients import ServiceClient, ServiceProblem
from dashboard.deps import RuntimeDep
from dashboard.web import render

router = APIRouter(tags=["patient link"])
DONE = {"confirm": "confirmed", "cancel": "cancelled", "move": "moved"}
GONE = {401: "invalid", 404: "invalid", 410: "expired"}


async def _scheduling(request: Request, runtime: RuntimeDep, token: str) -> ServiceClient:
    """Scheduling as the link, once the address and the link are under their rate."""
    limiter: StoredRateLimiter = request.app.state.patient_links
    await limiter.hit(f"address:{client_address(request)}")
    await limiter.hit(f"link:{token}")
    return runtime.clients.for_patient_link(token)


def _page(request: Request, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    settings = request.app.state.settings
    clinic = {"clinic_name": settings.clinic_name, "clinic_phone": settings.clinic_phone}
    return render(request, "patient_link/page.html", clinic | context, status_code=status_code)


def _link_refused(request: Request, exc: ServiceProblem, done: str | None = None) -> HTMLResponse:
    """A forged, expired or withdrawn link: a clear page saying so and what to do."""
    kind = GONE.get(exc.status, "invalid")
    if exc.status == 410 and exc.body.get("reason") == "revoked":
        kind = "revoked"
    context = {"gone": kind, "done": done if done in DONE.values() else None}
    return _page(request, context, status_code=exc.status)


def _forged(request: Request, token: str) -> HTMLResponse | None:
    """The page for a link this clinic did not sign, checked here before any service is asked."""
    try:
        read_link(request.app.state.settings.patient_link_key.get_secret_value(), token)
    except InvalidLink:
        return _page(request, {"gone": "invalid"}, status_code=401)
    return None


@router.get("/p/{token}", response_class=HTMLResponse)
async def patient_page(
    request: Request,
    token: str,
    runtime: RuntimeDep,
    move: uuid.UUID | None = None,
    done: str | None = None,
) -> Response:
    scheduling = await _scheduling(request, runtime, token)
    if (refused := _forged(request, token)) is not None:
        return refused
    try:
        course = await scheduling.get("/v1/self-service/course")
    except ServiceProblem as exc:
        return _link_refused(request, exc, done)
    return await _course_page(request, scheduling, token, course, move=move, done=done)


async def _course_page(
    request: Request,
    scheduling: ServiceClient,
    token: str,
    course: dict[str, Any],
    *,
    move: uuid.UUID | None = None,
    done: str | None = None,
    refusal: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    moving = next((s for s in course["sessions"] if s["id"] == str(move) and s["may_change"]), None)
    slots: list[str] = []
    if moving is not None:
        found = await scheduling.get(f"/v1/self-service/sessions/{moving['id']}/slots")
        slots = list(found["starts"])
    context = {
        "token": token,
        "course": course,
        "moving": moving,
        "slots": slots,
        "done": done if done in DONE.values() else None,
        "refusal": refusal,
    }
    return _page(request, context, status_code=status_code)


async def _act(
    request: Request, runtime: RuntimeDep, token: str, path: str, body: Any = None
) -> Response:
    """Confirm, cancel or move; then back to the page, which says what was done or refused."""
    scheduling = await _scheduling(request, runtime, token)
    if (refused := _forged(request, token)) is not None:
        return refused
    action = path.rsplit("/", 1)[1]
    try:
        await scheduling.post(f"/v1/self-service{path}", body)
    except ServiceProblem as problem:
        try:
            course = await scheduling.get("/v1/self-service/course")
        except ServiceProblem as exc:
            return _link_refused(request, exc)
        return await _course_page(
            request, scheduling, token, course, refusal=problem.detail, status_code=problem.status
        )
    return RedirectResponse(f"/p/{token}?done={DONE[action]}", status_code=303)


@router.post("/p/{token}/sessions/{session_id}/confirm")
async def confirm(
    request: Request, token: str, session_id: uuid.UUID, runtime: RuntimeDep
) -> Response:
    return await _act(request, runtime, token, f"/sessions/{session_id}/confirm")


@router.post("/p/{token}/sessions/{session_id}/cancel")
async def cancel(
    request: Request, token: str, session_id: uuid.UUID, runtime: RuntimeDep
) -> Response:
    return await _act(request, runtime, token, f"/sessions/{session_id}/cancel")


@router.post("/p/{token}/sessions/{session_id}/move")
async def move(
    request: Request,
    token: str,
    session_id: uuid.UUID,
    runtime: RuntimeDep,
    starts_at: Annotated[str, Form()] = "",
) -> Response:
    body = {"starts_at": starts_at}
    return await _act(request, runtime, token, f"/sessions/{session_id}/move", body)
