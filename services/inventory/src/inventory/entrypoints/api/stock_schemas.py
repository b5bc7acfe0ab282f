"""Request and response bodies of adjustment, recall and alert routes."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from inventory.domain.adjustments import AdjustmentKind
from inventory.domain.alerts import AlertKind, AlertSeverity, AlertStatus
from inventory.entrypoints.api.alert_facts import FactsPublic
from inventory.entrypoints.api.schemas import LotPublic


class AdjustmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    lot_id: uuid.UUID
    kind: AdjustmentKind
    quantity: StrictInt = Field(
        ge=0,
        le=1_000_000,
        description="Vials counted on hand (count_correction) or removed (breakage, disposal).",
    )
    reason: str = Field(min_length=1, max_length=500)


class RecallPublic(BaseModel):
    lot: LotPublic
    patient_ids: list[uuid.UUID]
    session_ids: list[uuid.UUID]
    sessions_now_short: list[uuid.UUID]


class AlertPublic(BaseModel):
    """Open alerts as staff act on them: a product's shortages, expiring lots or reorders are
    one alert with a count (`id` is the oldest's; dismissing it dismisses them all); the message
    is computed when read and names products by name."""

    id: uuid.UUID
    kind: AlertKind
    severity: AlertSeverity = Field(
        description="`critical`: a patient may have been harmed (a recalled lot used)."
    )
    status: AlertStatus
    product_code: str
    product_name: str = Field(description="What staff read: a product's name, never its code.")
    lot_id: uuid.UUID | None
    session_id: uuid.UUID | None = Field(
        description="The session concerned; of a group of shortages, the earliest."
    )
    session_ids: list[uuid.UUID] = Field(
        description="Every session the alert concerns, earliest first (shortages)."
    )
    count: int = Field(description="How many alerts this one stands for (1 unless grouped).")
    message: str = Field(
        description="Computed when read, from the stock as it is now; in English. "
        "`facts` holds what it says, for a client that words it in another language."
    )
    facts: FactsPublic | None = Field(
        description="What `message` says, as data, computed when read: one object per `kind` "
        "(its own `kind` is the alert's). Null when the rows it comes from are gone; then only "
        "`message` says it."
    )
    created_at: datetime
