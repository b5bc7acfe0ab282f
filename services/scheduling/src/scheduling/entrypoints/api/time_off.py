"""Reading and deleting time off: every practitioner's absences that overlap a range (the
calendar's view)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from clinic_shared.fields import Instant
from scheduling.entrypoints.api.deps import FrontDesk, ScopeDep, Staff
from scheduling.entrypoints.api.schemas import UTCInstant
from scheduling.service_layer import agenda, closures

router = APIRouter(prefix="/v1", tags=["catalogue and staff"])


class TimeOffListed(BaseModel):
    id: uuid.UUID
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
    agenda.check_span(scope, from_, to)
    listed = []
    for practitioner in await scope.staff.practitioners():
        for away in await scope.staff.time_off(practitioner.id, from_, to):
            listed.append(
                TimeOffListed(
                    id=away.id,
                    practitioner_id=practitioner.id,
                    starts_at=away.starts_at,
                    ends_at=away.ends_at,
                    reason=away.reason,
                )
            )
    return sorted(listed, key=lambda t: (t.starts_at, str(t.practitioner_id)))


@router.delete("/time-off/{time_off_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_time_off(time_off_id: uuid.UUID, scope: ScopeDep, _: FrontDesk) -> Response:
    """Forget a time off; the sessions it flagged lose the flag unless something else covers
    them."""
    await closures.delete_time_off(scope, time_off_id)
    await scope.uow.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
