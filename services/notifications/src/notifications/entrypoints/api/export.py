"""Everything notifications holds about one patient: their part of scheduling's export."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from notifications.adapters.alerts import AlertRepository
from notifications.adapters.consent import ConsentRepository
from notifications.adapters.messages import MessageRepository
from notifications.adapters.orm import contacts
from notifications.entrypoints.api.contacts import ContactPublic
from notifications.entrypoints.api.deps import Admin, UowDep
from notifications.entrypoints.api.schemas import AttemptPublic, MessageDetail, MessagePublic
from notifications.entrypoints.api.staff_alerts import StaffAlertPublic

router = APIRouter(prefix="/v1/patients", tags=["privacy"])
EVERY_MESSAGE = 100_000


class ContactExport(ContactPublic):
    erased_at: datetime | None


class ConsentRecord(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    channel: str
    address: str
    action: str
    source: str
    reference: str | None
    recorded_at: datetime


class NotificationsExport(BaseModel):
    contact: ContactExport | None
    consent_ledger: list[ConsentRecord]
    messages: list[MessageDetail]
    staff_alerts: list[StaffAlertPublic]


@router.get("/{patient_id}/export", response_model=NotificationsExport)
async def export_patient(patient_id: uuid.UUID, uow: UowDep, _: Admin) -> NotificationsExport:
    """The patient's contact and preferences, consent ledger, messages with every attempt, and
    the staff alerts about them."""
    row = (
        await uow.session.execute(sa.select(contacts).where(contacts.c.patient_id == patient_id))
    ).one_or_none()
    ledger = await ConsentRepository(uow.session).entries(patient_id)
    return NotificationsExport(
        contact=ContactExport.model_validate(row._mapping) if row else None,
        consent_ledger=[ConsentRecord.model_validate(e) for e in ledger],
        messages=await _messages(MessageRepository(uow.session), patient_id),
        staff_alerts=[
            StaffAlertPublic.model_validate(a)
            for a in await AlertRepository(uow.session).about_patient(patient_id)
        ],
    )


async def _messages(repo: MessageRepository, patient_id: uuid.UUID) -> list[MessageDetail]:
    found = []
    rows = await repo.find(filters={"patient_id": patient_id}, limit=EVERY_MESSAGE, offset=0)
    for row in rows:
        attempts = [AttemptPublic.model_validate(a._mapping) for a in await repo.attempts(row.id)]
        found.append(
            MessageDetail(**MessagePublic.of(row._mapping).model_dump(), attempts=attempts)
        )
    return found
