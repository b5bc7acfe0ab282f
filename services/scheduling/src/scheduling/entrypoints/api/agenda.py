"""The agenda: the sessions of a span with the names a calendar shows beside them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from clinic_shared.auth import Role
from clinic_shared.fields import Instant
from scheduling.domain.model import AgendaEntry
from scheduling.entrypoints.api.course_schemas import SessionPublic, SessionStatusName
from scheduling.entrypoints.api.courses import session_public
from scheduling.entrypoints.api.deps import ScopeDep, Staff
from scheduling.service_layer import agenda

router = APIRouter(prefix="/v1", tags=["sessions"])
# Those who may read patients: a stock manager sees the agenda's times and places, no names.
SEES_PATIENTS = frozenset({Role.ADMIN, Role.RECEPTIONIST, Role.PRACTITIONER})


class AgendaEntryPublic(SessionPublic):
    treatment_code: str
    treatment_name: str
    practitioner_name: str
    room_name: str
    patient_name: str | None = Field(
        description="The patient's first and last name; none for a role that may not read patients."
    )


def entry_public(entry: AgendaEntry) -> AgendaEntryPublic:
    return AgendaEntryPublic(
        **session_public(entry.session).model_dump(),
        treatment_code=entry.treatment_code,
        treatment_name=entry.treatment_name,
        practitioner_name=entry.practitioner_name,
        room_name=entry.room_name,
        patient_name=entry.patient_name,
    )


@router.get("/agenda", response_model=list[AgendaEntryPublic])
async def read_agenda(
    scope: ScopeDep,
    who: Staff,
    from_: Annotated[Instant, Query(alias="from")],
    to: Instant,
    practitioner_id: uuid.UUID | None = None,
    room_id: uuid.UUID | None = None,
    status: SessionStatusName | None = None,
) -> list[AgendaEntryPublic]:
    """Every session overlapping [from, to), a span of at most 62 days, by start, with its
    treatment, practitioner, room and patient names: one request for a calendar's week. A
    stock manager gets no patient names; a practitioner, those of their own sessions only."""
    filters = {"practitioner_id": practitioner_id, "room_id": room_id, "status": status}
    scope.act_as(who.subject, who.role, who.practitioner_id)
    entries = await agenda.agenda_entries(
        scope, from_, to, filters, with_patients=who.role in SEES_PATIENTS
    )
    return [entry_public(e) for e in entries]
