"""Response bodies of reservation and traceability routes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class ReservationLine(BaseModel):
    product_code: str
    lot_id: uuid.UUID | None
    lot_number: str | None
    expires_on: date | None
    quantity: int
    status: Literal["reserved", "released", "consumed", "short"]


class BookedReservationLine(ReservationLine):
    """A reservation line with the booked session it belongs to."""

    session_id: uuid.UUID
    session_on: date = Field(description="The session's clinic-local day.")
    starts_at: datetime


class ConsumptionPublic(BaseModel):
    patient_id: uuid.UUID
    session_id: uuid.UUID
    product_code: str
    lot_id: uuid.UUID | None
    lot_number: str
    quantity: int
    consumed_at: datetime


class BookedWithLot(BaseModel):
    session_id: uuid.UUID
    patient_id: uuid.UUID
    starts_at: datetime
    product_code: str
    lot_id: uuid.UUID
    quantity: int


class Traceability(BaseModel):
    """Patients treated with a lot (or lots a patient received) and sessions holding the lot."""

    lot_number: str | None = None
    patient_id: uuid.UUID | None = None
    patient_ids: list[uuid.UUID]
    consumptions: list[ConsumptionPublic]
    booked_sessions: list[BookedWithLot]
