"""Notifications' reactions to other services' events; the consumer's unit of work commits."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from zoneinfo import ZoneInfo

import sqlalchemy as sa

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
from notifications.adapters.consent import ConsentRepository
from notifications.adapters.orm import contacts
from notifications.service_layer.erasure import erase_contact
from notifications.service_layer.nudges import on_rebooking_due
from notifications.service_layer.sessions import (
    STATUS_BY_TYPE,
    on_session_event,
    on_session_renumbered,
)


async def project_contact(event: PatientRegistered, uow: UnitOfWork) -> None:
    """Keep the newest contact details; an older event arriving late, or any event about an erased
    patient, changes nothing."""
    occurred_at = uow.occurred_at
    values = {
        "first_name": event.first_name,
        "phone": event.phone,
        "email": event.email,
        "phone_index": blind_index(event.phone),
        "email_index": blind_index(event.email),
        "language": event.language,
        "preferred_channel": event.preferred_channel,
        "consent_sms": event.consent_sms,
        "consent_email": event.consent_email,
        "source_occurred_at": occurred_at,
        "updated_at": utcnow(),
    }
    if event.phone and await ConsentRepository(uow.session).sms_opted_out(event.phone):
        values["consent_sms"] = False  # a STOP reply outranks the desk until START
    current = (
        await uow.session.execute(
            sa.select(contacts.c.source_occurred_at, contacts.c.erased_at).where(
                contacts.c.patient_id == event.patient_id
            )
        )
    ).one_or_none()
    if current is None:
        await uow.session.execute(sa.insert(contacts).values(patient_id=event.patient_id, **values))
    elif current.erased_at is None and current.source_occurred_at <= occurred_at:
        await uow.session.execute(
            sa.update(contacts).where(contacts.c.patient_id == event.patient_id).values(**values)
        )


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
    handlers[SessionRenumbered.TYPE] = on_session_renumbered
    return handlers
