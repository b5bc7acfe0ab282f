"""Reading time off: every practitioner's absences that overlap a range (the calendar's view)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from clinic_shared.errors import Unprocessable
from clinic_shared.fields import Instant
from scheduling.domain import rules
from scheduling.entrypoints.api.deps import ScopeDep, Staff
from scheduling.entrypoints.api.schemas import UTCInstant

router = APIRouter(prefix="/v1", tags=["catalogue and staff"])
LONGEST_RANGE = timedelta(days=62)


class TimeOffListed(BaseModel):
    practitioner_id: uuid.UUID
    starts_at: UTCInstant
    ends_at: UTCInstant
    reason: str


@router.get("/time-off", response_model=list[TimeOffListed])
async def list_time_off(
    scope: ScopeDep,
    _: Staff,
    from_: Annotated[Instant, Query(alias="from")],
    to: Instant,
) -> list[TimeOffListed]:
    """Each practitioner's time off overlapping [from, to), a range of at most 62 days."""
    clinic = scope.clinic
    rules.check_horizon(from_, clinic.now, clinic.horizon, "query.from")
    rules.check_horizon(to, clinic.now, clinic.horizon, "query.to")
    if not from_ < to <= from_ + LONGEST_RANGE:
        raise Unprocessable(
            "`to` must come after `from`, at most 62 days later.",
            errors=[{"field": "query.to", "reason": "not after from, or more than 62 days on"}],
        )
    listed = []
    for practitioner in await scope.staff.practitioners():
        for away in await scope.staff.time_off(practitioner.id, from_, to):
            listed.append(TimeOffListed(practitioner_id=practitioner.id, **vars(away)))
    return sorted(listed, key=lambda t: (t.starts_at, str(t.practitioner_id)))
