"""Inventory's reactions to scheduling's events; the consumer's unit of work commits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from clinic_shared.contracts.events import (
    CourseAbandoned,
    CourseCompleted,
    CourseCreated,
    PatientRegistered,
    SessionBooked,
    SessionCancelled,
    SessionCompleted,
    SessionNoShow,
    SessionRenumbered,
    SessionRescheduled,
)
from clinic_shared.outbox import UnitOfWork
from inventory.service_layer.completion import consume_for_completed_session
from inventory.service_layer.courses import record_course
from inventory.service_layer.patients import remember_patient_id
from inventory.service_layer.session_events import (
    move_reservations,
    release_for_ended_session,
    renumber_session,
    reserve_for_booked_session,
)

Handler = Callable[[Any, UnitOfWork], Awaitable[None]]


async def remember_patient(event: PatientRegistered, uow: UnitOfWork) -> None:
    """Know the patient's id, for tracing lots to patients later; nothing else about them."""
    await remember_patient_id(uow, event.patient_id)


def build_handlers(zone: ZoneInfo) -> dict[str, Handler]:
    """Every event inventory acts on, with the clinic's time zone for session dates."""
    return {
        PatientRegistered.TYPE: remember_patient,
        SessionBooked.TYPE: partial(reserve_for_booked_session, zone=zone),
        SessionRescheduled.TYPE: partial(move_reservations, zone=zone),
        SessionCancelled.TYPE: partial(release_for_ended_session, zone=zone, status="cancelled"),
        SessionNoShow.TYPE: partial(release_for_ended_session, zone=zone, status="no_show"),
        SessionCompleted.TYPE: partial(consume_for_completed_session, zone=zone),
        SessionRenumbered.TYPE: renumber_session,
        CourseCreated.TYPE: partial(record_course, status="active"),
        CourseCompleted.TYPE: partial(record_course, status="completed"),
        CourseAbandoned.TYPE: partial(record_course, status="abandoned"),
    }
