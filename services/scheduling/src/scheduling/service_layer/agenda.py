"""Reading the agenda: one session, or sessions over a span of time, by practitioner, room,
course or status."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from clinic_shared.contracts.sessions import SessionState
from clinic_shared.errors import Unprocessable
from scheduling.domain import rules
from scheduling.domain.access import narrowed_to
from scheduling.domain.model import AgendaEntry, Session
from scheduling.service_layer.scope import Scope


async def list_sessions(
    scope: Scope, filters: dict[str, Any], *, limit: int, offset: int
) -> list[Session]:
    """The sessions the filters select; a span (`from`, `to`) between 1970 and the horizon."""
    clinic = scope.clinic
    for name in ("from", "to"):
        if (instant := filters.get(name)) is not None:
            rules.check_horizon(instant, clinic.now, clinic.horizon, f"query.{name}")
    return await scope.calendar.list_sessions(filters, limit, offset)


LONGEST_SPAN = timedelta(days=62)


def check_span(scope: Scope, from_: datetime, to: datetime) -> None:
    """A calendar's span: within the horizon, `to` after `from` by at most 62 days."""
    clinic = scope.clinic
    rules.check_horizon(from_, clinic.now, clinic.horizon, "query.from")
    rules.check_horizon(to, clinic.now, clinic.horizon, "query.to")
    if not from_ < to <= from_ + LONGEST_SPAN:
        raise Unprocessable(
            "`to` must come after `from`, at most 62 days later.",
            errors=[{"field": "query.to", "reason": "not after from, or more than 62 days on"}],
        )


async def agenda_entries(
    scope: Scope,
    from_: datetime,
    to: datetime,
    filters: dict[str, Any],
    *,
    with_patients: bool,
) -> list[AgendaEntry]:
    """Every session overlapping [from, to) that the filters select, by start, with the names
    shown beside it; the patient's only `with_patients`, and to a practitioner only on their
    own sessions."""
    check_span(scope, from_, to)
    entries = await scope.calendar.agenda(
        filters | {"from": from_, "to": to}, with_patients=with_patients
    )
    own = narrowed_to(scope.actor)  # a practitioner sees the names of their own patients only
    if own is None:
        return entries
    return [
        entry if entry.session.practitioner_id == own else replace(entry, patient_name=None)
        for entry in entries
    ]


async def read_session(scope: Scope, session_id: uuid.UUID) -> Session:
    return await scope.session(session_id)


async def session_states(
    scope: Scope,
    *,
    updated_since: datetime | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[SessionState]:
    """Every session's current facts and version, oldest version first, for the services that
    keep a projection of them to reconcile with; `updated_since` between 1970 and the horizon."""
    if updated_since is not None:
        clinic = scope.clinic
        rules.check_horizon(updated_since, clinic.now, clinic.horizon, "query.updated_since")
    return await scope.states.page(updated_since=updated_since, after=after, limit=limit)
