"""A patient's self-service page, `/p/{token}`: no sign-in, the link is the key. A course's link
shows the course's upcoming sessions, a waitlist offer's link the freed slot; each posts back
here, and scheduling judges every change as the link's."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clinic_shared.patient_links import InvalidLink, read_link, read_offer_link
from clinic_shared.ratelimit import StoredRateLimiter, client_address
from dashboard.clients import ServiceClient, ServiceProblem
from dashboard.deps import RuntimeDep
from dashboard.web import render

router = APIRouter(tags=["patient link"])
DONE = {
    "confirm": "confirmed",
    "cancel": "cancelled",
    "move": "moved",
    "waitlist": "waitlisted",
    "accept": "accepted",
}
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


def _link_refused(
    request: Request, exc: ServiceProblem, done: str | None = None, *, offer: bool = False
) -> HTMLResponse:
    """A forged, expired or withdrawn link (a course's, or a waitlist `offer`'s): a clear page
    saying so and what to do."""
    kind = GONE.get(exc.status, "invalid")
    if exc.status == 410 and exc.body.get("reason") == "revoked":
        kind = "revoked"
    context = {"gone": kind, "done": done if done in DONE.values() else None, "offer": offer}
    return _page(request, context, status_code=exc.status)


def _signed(request: Request, token: str, *, offer: bool) -> bool:
    """Whether this clinic signed the token as a course's link, or as an offer's."""
    read = read_offer_link if offer else read_link
    try:
        read(request.app.state.settings.patient_link_key.get_secret_value(), token)
    except InvalidLink:
        return False
    return True


def _forged(request: Request, token: str, *, offer: bool = False) -> HTMLResponse | None:
    """The page for a link this clinic did not sign (as a course's, or as an offer's), checked
    here before any service is asked."""
    if _signed(request, token, offer=offer):
        return None
    return _page(request, {"gone": "invalid"}, status_code=401)


@router.get("/p/{token}", response_class=HTMLResponse)
async def patient_page(
    request: Request,
    token: str,
    runtime: RuntimeDep,
    move: uuid.UUID | None = None,
    done: str | None = None,
) -> Response:
    scheduling = await _scheduling(request, runtime, token)
    if _signed(request, token, offer=True):
        return await _offer_page(request, scheduling, token, done=done)
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


@router.post("/p/{token}/waitlist")
async def join_waitlist(request: Request, token: str, runtime: RuntimeDep) -> Response:
    """Join the course's waitlist: a time freed in the course's window is offered by message."""
    return await _act(request, runtime, token, "/waitlist")


async def _offer_page(
    request: Request,
    scheduling: ServiceClient,
    token: str,
    *,
    done: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """A waitlist offer: the freed time, taken by the first patient to accept it."""
    try:
        offer = await scheduling.get("/v1/self-service/offer")
    except ServiceProblem as exc:
        return _link_refused(request, exc, offer=True)
    context = {"token": token, "offer": offer, "done": done if done == "accepted" else None}
    return _page(request, context, status_code=status_code)


@router.post("/p/{token}/accept")
async def accept_offer(request: Request, token: str, runtime: RuntimeDep) -> Response:
    """Take the offered time; when another patient was first, the page says it has gone."""
    scheduling = await _scheduling(request, runtime, token)
    if (refused := _forged(request, token, offer=True)) is not None:
        return refused
    try:
        await scheduling.post("/v1/self-service/offer/accept")
    except ServiceProblem as problem:
        if problem.status != 409:
            return _link_refused(request, problem, offer=True)
        return await _offer_page(request, scheduling, token, status_code=409)
    return RedirectResponse(f"/p/{token}?done=accepted", status_code=303)
