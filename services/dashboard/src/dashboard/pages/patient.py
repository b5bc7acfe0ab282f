"""Patient: details and consent, each course as a timeline, the messages sent and to come.

The desk (admins, receptionists) opens any patient's page; a practitioner opens those of the
patients they treat, as scheduling narrows them (any other is its 403, shown as a refusal), and
sees neither consent (notifications' preferences are the desk's) nor the desk's actions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from clinic_shared.auth import Role
from dashboard.accounts.service import SignedIn, list_accounts
from dashboard.agenda import CLINICAL, FRONT_DESK
from dashboard.clients import ServiceProblem, Services
from dashboard.deps import DbDep, RuntimeDep, ServicesDep, SettingsDep, require_roles
from dashboard.prescription import doses, kits_and_names
from dashboard.web import render

router = APIRouter(tags=["patient"])
PatientReader = Annotated[
    SignedIn, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST, Role.PRACTITIONER))
]
WAITING = {"booked", "confirmed"}


def at_desk(request: Request) -> bool:
    """The signed-in role books, moves, cancels, edits details and consent: the desk's work."""
    signed_in: SignedIn = request.state.signed_in
    return signed_in.account.role in FRONT_DESK


def next_step(course: dict[str, Any], today: date) -> dict[str, Any] | None:
    """The window of the next session to book, overdue once it closed with none booked."""
    window = course.get("next_window")
    if course["status"] != "active" or not window:
        return None
    latest = date.fromisoformat(window["latest"]) if window.get("latest") else None
    waiting = any(s["status"] in WAITING for s in course["sessions"])
    return {
        "earliest": window.get("earliest"),
        "latest": window.get("latest"),
        "overdue": latest is not None and latest < today and not waiting,
    }


def upcoming(session: dict[str, Any], now: datetime) -> bool:
    """Still to come: it may be moved or cancelled."""
    return session["status"] in WAITING and datetime.fromisoformat(session["ends_at"]) > now


def started(session: dict[str, Any], now: datetime) -> bool:
    """Still to record and started: scheduling marks a session missed only once it has started."""
    return session["status"] in WAITING and datetime.fromisoformat(session["starts_at"]) <= now


async def preferences_of(services: Services, patient_id: UUID) -> dict[str, Any] | None:
    """None while notifications has not heard of the patient yet."""
    try:
        found: dict[str, Any] = await services.notifications.get(
            f"/v1/patients/{patient_id}/preferences"
        )
    except ServiceProblem as exc:
        if exc.status == 404:
            return None
        raise
    return found


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
async def patient_page(
    request: Request,
    user: PatientReader,
    services: ServicesDep,
    db: DbDep,
    patient_id: UUID,
    booked: Annotated[int, Query(ge=0, le=100)] = 0,
    done: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    """The patient's page; its audit trail names the staff by the dashboard's accounts."""
    patient = await services.scheduling.get(f"/v1/patients/{patient_id}")
    staff = {str(a.id): a.name for a in await list_accounts(db)}
    page = {"patient": patient, "booked": booked, "done": done, "staff": staff}
    page["desk"] = at_desk(request)
    return render(request, "patient/page.html", page)


@router.get("/patients/{patient_id}/partial", response_class=HTMLResponse)
async def patient_partial(
    request: Request,
    user: PatientReader,
    services: ServicesDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    db: DbDep,
    patient_id: UUID,
) -> HTMLResponse:
    now, desk = runtime.clock().astimezone(settings.zone), at_desk(request)
    courses = await services.scheduling.get("/v1/courses", patient_id=str(patient_id))
    kits, products = await kits_and_names(services, {c["treatment_code"] for c in courses})
    for course in courses:
        adjusted = course["prescription"]["kit_adjustments"]
        course["doses"] = doses(kits.get(course["treatment_code"], []), adjusted, products)
        course["sessions"].sort(key=lambda s: s["starts_at"])
        course["next"] = next_step(course, now.date())
        for session in course["sessions"]:
            session["upcoming"] = upcoming(session, now)
            session["started"] = started(session, now)
    context = {
        "clinical": user.account.role in CLINICAL,
        "desk": desk,
        # scheduling lets a practitioner mark missed only their own sessions
        "own_only": user.account.role is Role.PRACTITIONER,
        "mine": str(user.account.practitioner_id),
        "staff": {str(a.id): a.name for a in await list_accounts(db)},
        "sessions": {s["id"]: s for c in courses for s in c["sessions"]},
        "patient": await services.scheduling.get(f"/v1/patients/{patient_id}"),
        # consent is the desk's to read and record (notifications' preferences are the desk's)
        "preferences": await preferences_of(services, patient_id) if desk else None,
        "conditions": await services.scheduling.get(f"/v1/patients/{patient_id}/conditions"),
        "courses": courses,
        "treatments": {
            t["code"]: t["name"] for t in await services.scheduling.get("/v1/treatments")
        },
        "practitioners": {
            p["id"]: p["name"] for p in await services.scheduling.get("/v1/practitioners")
        },
        "messages": await services.notifications.get_all(
            "/v1/messages", patient_id=str(patient_id)
        ),
    }
    return render(request, "patient/_partial.html", context)


@router.get("/courses/{course_id}/patient")
async def course_patient(
    user: PatientReader, services: ServicesDep, course_id: UUID
) -> RedirectResponse:
    """To the page of the course's patient: the agenda knows a session's course, not its
    patient. A practitioner's is refused by scheduling for a course of a patient not theirs."""
    course = await services.scheduling.get(f"/v1/courses/{course_id}")
    return RedirectResponse(f"/patients/{course['patient_id']}", status_code=303)
