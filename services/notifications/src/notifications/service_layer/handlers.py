"""Notifications' reactions to other services' events; the consumer's unit of work commits."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from zoneinfo import ZoneInfo

from clinic_shared.contracts.events import (
    CourseRebookingDue,
    PatientErased,
    PatientRegistered,
    PatientUpdated,
    SessionRenumbered,
)
from clinic_shared.crypto import blind_index
from clinic_shared.db import utcnow
from clinic_shared.outbox import UnitOfWork
from clinic_shared.outbox.inbox import EventHandler
from notifications.adapters.repository import ContactRepository
from notifications.service_layer.consent import (
    consent_from_registration,
    withdraw_sms_of_stopped_number,
)
from notifications.service_layer.erasure import erase_contact
from notifications.service_layer.nudges import on_rebooking_due
from notifications.service_layer.sessions import (
    STATUS_BY_TYPE,
    on_session_event,
    on_session_renumbered,
)


async def project_contact(event: PatientRegistered, uow: UnitOfWork) -> None:
    """Keep the newest contact details; an older event arriving late, or any event about an erased
    patient, changes nothing. Consent is the ledger's: a registration brings the consent given at
    the desk, an update none (its copy of consent may be stale)."""
    occurred_at = uow.occurred_at
    details = {
        "first_name": event.first_name,
        "phone": event.phone,
        "email": event.email,
        "phone_index": blind_index(event.phone),
        "email_index": blind_index(event.email),
        "language": event.language,
        "preferred_channel": event.preferred_channel,
        "source_occurred_at": occurred_at,
        "updated_at": utcnow(),
    }
    await ContactRepository(uow.session).project(event.patient_id, details)
    if event.TYPE == PatientRegistered.TYPE:
        await consent_from_registration(uow, event, now=occurred_at)
    else:
        await withdraw_sms_of_stopped_number(uow, event.patient_id, now=occurred_at, announce=True)


HANDLERS: dict[str, EventHandler] = {
    PatientRegistered.TYPE: project_contact,
    PatientUpdated.TYPE: project_contact,
    PatientErased.TYPE: erase_contact,
}


def scheduling_handlers(zone: ZoneInfo) -> Mapping[str, EventHandler]:
    handlers: dict[str, EventHandler] = {
        event_type: partial(on_session_event, zone=zone) for event_type in STATUS_BY_TYPE
    }
    handlers[CourseRebookingDue.TYPE] = partial(on_rebooking_due, zone=zone)
    handlers[SessionRenumbered.TYPE] = partial(on_session_renumbered, zone=zone)
    return handlers
