"""Everything notifications holds about one patient: their part of scheduling's export."""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from notifications.entrypoints.api.contacts import ContactPublic
from notifications.entrypoints.api.deps import Admin, ScopeDep
from notifications.entrypoints.api.messages import message_detail
from notifications.entrypoints.api.schemas import MessageDetail
from notifications.entrypoints.api.staff_alerts import StaffAlertPublic
from notifications.service_layer.export import patient_record

router = APIRouter(prefix="/v1/patients", tags=["privacy"])


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
async def export_patient(patient_id: uuid.UUID, scope: ScopeDep, _: Admin) -> NotificationsExport:
    """The patient's contact and preferences, consent ledger, messages with every attempt, and
    the staff alerts about them."""
    record = await patient_record(scope, patient_id)
    contact = record.contact
    return NotificationsExport(
        contact=ContactExport.model_validate(contact._mapping) if contact else None,
        consent_ledger=[ConsentRecord.model_validate(e) for e in record.consent_ledger],
        messages=[message_detail(row, attempts) for row, attempts in record.messages],
        staff_alerts=[StaffAlertPublic.model_validate(a) for a in record.staff_alerts],
    )
