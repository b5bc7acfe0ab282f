"""How notifications will reach a patient: details from scheduling's events, consent as ledgered."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from notifications.entrypoints.api.deps import FrontDesk, ScopeDep
from notifications.service_layer.preferences import contact_row

router = APIRouter(prefix="/v1/contacts", tags=["contacts"])


class ContactPublic(BaseModel):
    patient_id: uuid.UUID
    first_name: str
    phone: str | None
    email: str | None
    language: str
    preferred_channel: Literal["sms", "email"]
    consent_sms: bool
    consent_email: bool
    updated_at: datetime


@router.get("/{patient_id}", response_model=ContactPublic)
async def read_contact(patient_id: uuid.UUID, scope: ScopeDep, _: FrontDesk) -> ContactPublic:
    row = await contact_row(scope, patient_id)
    return ContactPublic.model_validate(row._mapping, from_attributes=False)
