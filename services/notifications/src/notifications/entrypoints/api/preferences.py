"""A patient's preferences and consent as notifications applies them, with the consent ledger."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, StrictBool

from clinic_shared.db import utcnow
from clinic_shared.fields import Language
from notifications.adapters.consent import ConsentRepository
from notifications.entrypoints.api.deps import FrontDesk, SettingsDep, UowDep
from notifications.service_layer.preferences import Preferences, change_preferences, contact_row

router = APIRouter(prefix="/v1/patients", tags=["preferences"])


class PreferencesBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    preferred_channel: Literal["sms", "email"]
    language: Language
    consent_sms: StrictBool
    consent_email: StrictBool


class ConsentEntry(BaseModel):
    channel: Literal["sms", "email"]
    action: Literal["opt_in", "opt_out"]
    source: Literal["sms_reply", "staff"]
    recorded_at: datetime


class PreferencesPublic(PreferencesBody):
    consent_history: list[ConsentEntry]


async def _read(uow: UowDep, patient_id: uuid.UUID) -> PreferencesPublic:
    row = await contact_row(uow, patient_id)
    history = await ConsentRepository(uow.session).entries(patient_id)
    return PreferencesPublic(
        preferred_channel=row.preferred_channel,
        language=row.language,
        consent_sms=row.consent_sms,
        consent_email=row.consent_email,
        consent_history=[ConsentEntry.model_validate(e, from_attributes=True) for e in history],
    )


@router.get("/{patient_id}/preferences", response_model=PreferencesPublic)
async def read_preferences(patient_id: uuid.UUID, uow: UowDep, _: FrontDesk) -> PreferencesPublic:
    return await _read(uow, patient_id)


@router.put("/{patient_id}/preferences", response_model=PreferencesPublic)
async def replace_preferences(
    patient_id: uuid.UUID, body: PreferencesBody, uow: UowDep, who: FrontDesk, settings: SettingsDep
) -> PreferencesPublic:
    """Change how the patient is reached; a withdrawn consent cancels what has not gone, and
    SMS after the patient's STOP come back only with their START (409)."""
    wanted = Preferences(**body.model_dump())
    await change_preferences(
        uow, patient_id, wanted, by=who.subject, now=utcnow(), zone=settings.zone
    )
    await uow.commit()
    return await _read(uow, patient_id)
