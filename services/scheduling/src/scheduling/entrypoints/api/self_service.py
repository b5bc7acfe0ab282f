"""Self-service routes: a patient's link (the `X-Patient-Link` header), never a staff token,
acting on that link's course only."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header

from scheduling.domain.errors import LinkRefused
from scheduling.domain.model import Session
from scheduling.domain.self_service import may_change
from scheduling.entrypoints.api.deps import ScopeDep, SettingsDep
from scheduling.entrypoints.api.self_service_schemas import (
    LinkedCoursePublic,
    LinkedSessionPublic,
    MoveBody,
    SlotsPublic,
)
from scheduling.entrypoints.api.waitlist_schemas import WaitlistJoinedPublic
from scheduling.service_layer import self_service, waitlist
from scheduling.settings import SchedulingSettings

router = APIRouter(prefix="/v1/self-service", tags=["self-service"])


async def link_token(
    x_patient_link: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> str:
    if not x_patient_link:
        raise LinkRefused
    return x_patient_link


LinkDep = Annotated[str, Depends(link_token)]


def key_of(settings: SchedulingSettings) -> str:
    return settings.patient_link_key.get_secret_value()


def _notice(settings: SchedulingSettings) -> timedelta:
    return timedelta(hours=settings.self_service_notice_hours)


def _public(session: Session, now: datetime, notice: timedelta) -> LinkedSessionPublic:
    return LinkedSessionPublic(
        id=session.id,
        sequence=session.sequence or None,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        status=session.status.value,
        may_change=may_change(session.starts_at, now, notice),
    )


@router.get("/course", response_model=LinkedCoursePublic)
async def read_course(token: LinkDep, scope: ScopeDep, settings: SettingsDep) -> LinkedCoursePublic:
    """The link's course: the patient's first name, the treatment, the upcoming sessions."""
    linked = await self_service.open_link(scope, key=key_of(settings), token=token)
    notice = _notice(settings)
    waiting, may_join = await waitlist.standing(scope, linked.course)
    return LinkedCoursePublic(
        on_waitlist=waiting,
        may_join_waitlist=may_join,
        first_name=linked.first_name,
        treatment=linked.treatment_name,
        sessions_planned=linked.course.sessions_planned,
        change_notice_hours=settings.self_service_notice_hours,
        sessions=[_public(s, scope.clinic.now, notice) for s in linked.sessions],
    )


@router.get("/sessions/{session_id}/slots", response_model=SlotsPublic)
async def free_slots(
    session_id: uuid.UUID, token: LinkDep, scope: ScopeDep, settings: SettingsDep
) -> SlotsPublic:
    """The free starts the session may move to, judged as a staff move's."""
    starts = await self_service.free_slots(
        scope, key=key_of(settings), token=token, session_id=session_id
    )
    return SlotsPublic(starts=starts)


@router.post("/sessions/{session_id}/confirm", response_model=LinkedSessionPublic)
async def confirm(
    session_id: uuid.UUID, token: LinkDep, scope: ScopeDep, settings: SettingsDep
) -> LinkedSessionPublic:
    session = await self_service.confirm(
        scope, key=key_of(settings), token=token, session_id=session_id
    )
    await scope.uow.commit()
    return _public(session, scope.clinic.now, _notice(settings))


@router.post("/sessions/{session_id}/cancel", response_model=LinkedSessionPublic)
async def cancel(
    session_id: uuid.UUID, token: LinkDep, scope: ScopeDep, settings: SettingsDep
) -> LinkedSessionPublic:
    """Cancel, up to the notice before the start; later: 409 too-late-to-change."""
    notice = _notice(settings)
    session = await self_service.cancel(
        scope, key=key_of(settings), token=token, session_id=session_id, notice=notice
    )
    await scope.uow.commit()
    return _public(session, scope.clinic.now, notice)


@router.post("/sessions/{session_id}/move", response_model=LinkedSessionPublic)
async def move(
    session_id: uuid.UUID, body: MoveBody, token: LinkDep, scope: ScopeDep, settings: SettingsDep
) -> LinkedSessionPublic:
    """Move to a new start, refused as a staff move would be; up to the notice before."""
    notice = _notice(settings)
    session = await self_service.move(
        scope,
        key=key_of(settings),
        token=token,
        session_id=session_id,
        starts_at=body.starts_at,
        notice=notice,
    )
    await scope.uow.commit()
    return _public(session, scope.clinic.now, notice)


@router.post("/waitlist", response_model=WaitlistJoinedPublic)
async def join_waitlist(
    token: LinkDep, scope: ScopeDep, settings: SettingsDep
) -> WaitlistJoinedPublic:
    """Join the waitlist of the link's course: a freed slot in its window is offered by message.
    Again: the course keeps its place."""
    entry, _ = await self_service.join_waitlist(scope, key=key_of(settings), token=token)
    await scope.uow.commit()
    return WaitlistJoinedPublic(waiting=True, joined_at=entry.joined_at)
