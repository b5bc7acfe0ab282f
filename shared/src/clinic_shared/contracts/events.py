"""Every event contract of the product, in one module, versioned.

The producing service owns its contracts. Changes are additive; a breaking change is a new VERSION
class next to the old one, and producers emit both until every consumer reads the new one.
"""

from __future__ import annotations

import uuid
from typing import Literal

from clinic_shared.contracts.envelope import Event

Channel = Literal["sms", "email"]


class PatientRegistered(Event):
    TYPE = "scheduling.patient.registered"
    VERSION = 1

    patient_id: uuid.UUID
    given_name: str
    family_name: str
    phone: str | None = None
    email: str | None = None
    language: str = "en"
    preferred_channel: Channel = "sms"
    consent_sms: bool = False
    consent_email: bool = False


class PatientUpdated(PatientRegistered):
    TYPE = "scheduling.patient.updated"
    VERSION = 1


ALL_EVENTS: tuple[type[Event], ...] = (PatientRegistered, PatientUpdated)
