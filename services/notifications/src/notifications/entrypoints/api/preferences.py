"""A patient's preferences and consent as notifications applies them, with the consent ledger."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, StrictBool

from clinic_shared.fields import Language
from notifications.entrypoints.api.deps import FrontDesk, ScopeDep
from notifications.service_layer import preferences
from notifications.service_layer.scope import Scope

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


async def _read(scope: Scope, patient_id: uuid.UUID) -> PreferencesPublic:
    row, history = await preferences.read_preferences(scope, patient_id)
    return PreferencesPublic(
        preferred_channel=row.preferred_channel,
        language=row.language,
        consent_sms=row.consent_sms,
        consent_email=row.consent_email,
        consent_history=[ConsentEntry.model_validate(e, from_attributes=True) for e in history],
    )


@router.get("/{patient_id}/preferences", response_model=PreferencesPublic)
async def read_preferences(
    patient_id: uuid.UUID, scope: ScopeDep, _: FrontDesk
) -> PreferencesPublic:
    return await _read(scope, patient_id)


@router.put("/{patient_id}/preferences", response_model=PreferencesPublic)
async def replace_preferences(
    patient_id: uuid.UUID, body: PreferencesBody, scope: ScopeDep, who: FrontDesk
) -> PreferencesPublic:
    """Change how the patient is reached; a withdrawn consent cancels what has not gone, and
    SMS after the patient's STOP come back only with their START (409)."""
    wanted = preferences.Preferences(**body.model_dump())
    await preferences.change_preferences(scope, patient_id, wanted, by=who.subject)
    await scope.uow.commit()
    return await _read(scope, patient_id)
