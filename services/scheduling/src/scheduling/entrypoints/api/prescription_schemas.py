"""Bodies of prescriptions, overrides and a patient's conditions."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictInt, field_validator

from scheduling.entrypoints.api.schemas import Strict, UTCInstant

# A substance, product code or condition: compared trimmed and without case.
Name = Annotated[str, Field(min_length=1, max_length=50, pattern=r"\S")]
Interval = Annotated[StrictInt, Field(ge=1, le=60)]


class KitAdjustmentBody(Strict):
    product_code: Name
    quantity: StrictInt = Field(ge=0, le=20, description="Vials per session; 0: without it.")


def adjustments_by_product(lines: list[KitAdjustmentBody] | None) -> dict[str, int] | None:
    return None if lines is None else {line.product_code: line.quantity for line in lines}


def _one_line_per_product(lines: list[KitAdjustmentBody] | None) -> list[KitAdjustmentBody] | None:
    codes = [line.product_code for line in lines or []]
    if len(set(codes)) != len(codes):
        raise ValueError("one line per product")
    return lines


class PrescriptionFields(Strict):
    """A prescription's fields, all optional: a course opened without them takes the
    treatment's; a change keeps what it does not name."""

    min_interval_days: Interval | None = Field(
        None, description="Fewest days between sessions, within the treatment's bounds."
    )
    max_interval_days: Interval | None = Field(
        None, description="Most days between sessions, within the treatment's bounds."
    )
    kit_adjustments: list[KitAdjustmentBody] | None = Field(
        None,
        max_length=20,
        description="Changes to the treatment's kit per session; replaces the earlier ones.",
    )

    @field_validator("kit_adjustments")
    @classmethod
    def _unique(cls, lines: list[KitAdjustmentBody] | None) -> list[KitAdjustmentBody] | None:
        return _one_line_per_product(lines)


class PrescriptionUpdate(PrescriptionFields):
    sessions_planned: StrictInt | None = Field(None, ge=1, le=20)


class KitAdjustmentPublic(BaseModel):
    product_code: str
    quantity: int


class PrescriptionPublic(BaseModel):
    revision: int
    sessions_planned: int
    min_interval_days: int
    max_interval_days: int
    kit_adjustments: list[KitAdjustmentPublic]
    prescribed_by: str | None
    prescribed_at: UTCInstant | None


class OverrideBody(Strict):
    rule: Literal["maintenance_interval", "contraindications"]
    reason: str = Field(min_length=3, max_length=500, description="Why the rule does not hold.")


class OverridePublic(BaseModel):
    course_id: uuid.UUID
    rule: str
    reason: str
    overridden_by: str
    overridden_at: UTCInstant


class ConditionsBody(Strict):
    allergies: list[Name] = Field(
        default_factory=list, max_length=30, description="Substances, e.g. lidocaine."
    )
    contraindications: list[Name] = Field(
        default_factory=list, max_length=30, description="Conditions, e.g. pregnancy."
    )


class ConditionsPublic(BaseModel):
    patient_id: uuid.UUID
    allergies: list[str]
    contraindications: list[str]
    recorded_by: str | None
    recorded_at: UTCInstant | None
