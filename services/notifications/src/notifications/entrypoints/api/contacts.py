"""How notifications will reach a patient, as projected from scheduling's events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends
from pydantic import BaseModel

from clinic_shared.auth import Principal, Role, require_roles
from clinic_shared.deps import UowDep
from clinic_shared.errors import NotFound
from notifications.adapters.orm import contacts

router = APIRouter(prefix="/v1/contacts", tags=["contacts"])
FrontDesk = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.RECEPTIONIST))]


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
async def read_contact(patient_id: uuid.UUID, uow: UowDep, _: FrontDesk) -> ContactPublic:
    row = (
        await uow.session.execute(sa.select(contacts).where(contacts.c.patient_id == patient_id))
    ).one_or_none()
    if row is None:
        raise NotFound(f"Notifications has no contact for patient {patient_id}.")
    return ContactPublic.model_validate(row._mapping, from_attributes=False)
