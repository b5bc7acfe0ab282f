"""Session routes: book, list, move, cancel, mark no-show, complete."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, status

from clinic_shared.fields import Instant
from clinic_shared.outbox.retry import committed
from clinic_shared.paging import Page, paged
from scheduling.domain.audit import Actor
from scheduling.entrypoints.api.audit_schemas import AuditEntryPublic, SessionRecord
from scheduling.entrypoints.api.course_schemas import (
    CancelBody,
    ClosedDayPublic,
    CompleteBody,
    MoveWindowsPublic,
    RescheduleBody,
    RescheduledPublic,
    SessionCreate,
    SessionPublic,
    SessionStatusName,
    WindowPublic,
)
from scheduling.entrypoints.api.courses import session_public
from scheduling.entrypoints.api.deps import (
    Clinical,
    FrontDesk,
    LotCheckerDep,
    RuntimeDep,
    ScopeDep,
    Staff,
    open_scope,
)
from scheduling.service_layer import agenda, audit, booking, moves, outcomes

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])


@router.post("", response_model=SessionPublic, status_code=status.HTTP_201_CREATED)
async def book(body: SessionCreate, runtime: RuntimeDep, who: FrontDesk) -> SessionPublic:
    # The scope opened here, not as ScopeDep: on the busiest route, FastAPI's exit stack and
    # cancel scope for a generator dependency cost about 25 us a request.
    # Tried again if the database breaks a lock cycle: two bookings of one patient at once can
    # each wait on the other's row in the exclusion constraint, and one is then failed.
    fields, actor = body.model_dump(), Actor(who.subject, who.role)
    session = await committed(
        lambda: open_scope(runtime, actor=actor),
        lambda scope: booking.book_session(scope, **fields),
    )
    return session_public(session)


@router.get("", response_model=list[SessionPublic])
async def list_sessions(
    scope: ScopeDep,
    _: Staff,
    page: Annotated[Page, paged(200)],
    from_: Annotated[Instant | None, Query(alias="from")] = None,
    to: Instant | None = None,
    practitioner_id: uuid.UUID | None = None,
    room_id: uuid.UUID | None = None,
    course_id: uuid.UUID | None = None,
    status: SessionStatusName | None = None,
) -> list[SessionPublic]:
    filters = {
        "from": from_,
        "to": to,
        "practitioner_id": practitioner_id,
        "room_id": room_id,
        "course_id": course_id,
        "status": status,
    }
    found = await agenda.list_sessions(scope, filters, limit=page.limit, offset=page.offset)
    return [session_public(s) for s in found]


@router.get("/{session_id}", response_model=SessionRecord)
async def read_session(session_id: uuid.UUID, scope: ScopeDep, _: Staff) -> SessionRecord:
    """The session with its audit trail."""
    session = session_public(await agenda.read_session(scope, session_id))
    entries = await audit.trail(scope, "session", session_id)
    return SessionRecord(
        **session.model_dump(), audit=[AuditEntryPublic(**asdict(e)) for e in entries]
    )


@router.get("/{session_id}/window", response_model=MoveWindowsPublic)
async def move_window(session_id: uuid.UUID, scope: ScopeDep, _: Staff) -> MoveWindowsPublic:
    """The clinic-local days the session may be rescheduled to, alone or shifting later ones."""
    windows = await moves.move_windows(scope, session_id)
    return MoveWindowsPublic(
        alone=WindowPublic(**asdict(windows.alone)),
        shift_following=WindowPublic(**asdict(windows.shift_following)),
        closed=[
            ClosedDayPublic(day=day, kind=away.kind.value, reason=away.reason)
            for day, away in windows.closed
        ],
    )


@router.post("/{session_id}/reschedule", response_model=RescheduledPublic)
async def reschedule(
    session_id: uuid.UUID, body: RescheduleBody, scope: ScopeDep, who: FrontDesk
) -> RescheduledPublic:
    """Move the session and, with shift_following, every later one by as many days."""
    scope.act_as(who.subject, who.role)
    target, *shifted = await moves.reschedule(scope, session_id=session_id, **body.model_dump())
    await scope.uow.commit()
    return RescheduledPublic(
        **session_public(target).model_dump(), shifted=[session_public(s) for s in shifted]
    )


@router.post("/{session_id}/cancel", response_model=SessionPublic)
async def cancel(
    session_id: uuid.UUID, scope: ScopeDep, who: FrontDesk, body: CancelBody | None = None
) -> SessionPublic:
    scope.act_as(who.subject, who.role)
    session = await outcomes.cancel(scope, session_id, body.reason if body else None)
    await scope.uow.commit()
    return session_public(session)


@router.post("/{session_id}/no-show", response_model=SessionPublic)
async def no_show(session_id: uuid.UUID, scope: ScopeDep, who: Clinical) -> SessionPublic:
    """Mark a started session missed; a practitioner, only their own (403 otherwise)."""
    scope.act_as(who.subject, who.role, who.practitioner_id)
    session = await outcomes.no_show(scope, session_id)
    await scope.uow.commit()
    return session_public(session)


@router.post("/{session_id}/complete", response_model=SessionPublic)
async def complete(
    session_id: uuid.UUID, body: CompleteBody, scope: ScopeDep, lots: LotCheckerDep, who: Clinical
) -> SessionPublic:
    """Record the session as done with the lots used. Inventory is asked first whether each lot
    may be used on the session's day: 422 naming each line it refuses (unknown product or lot,
    recalled, expired), 503 when it cannot answer; either way nothing is recorded. A
    practitioner completes only their own sessions (403 otherwise)."""
    scope.act_as(who.subject, who.role, who.practitioner_id)
    session = await outcomes.complete(scope, session_id, body.products(), lots)
    await scope.uow.commit()
    return session_public(session)
