"""When nobody is booked: practitioners' time off, the clinic's closures and the public
holidays it keeps closed. Recording one over booked sessions is refused (409 listing them)
unless forced; then those sessions are flagged for staff to move or cancel."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from clinic_shared.contracts.events import SessionDisplaced
from clinic_shared.errors import NotFound, Unprocessable
from scheduling.adapters.holidays import public_holidays
from scheduling.domain import closures, rules
from scheduling.domain.errors import SessionsCovered
from scheduling.domain.model import AbsenceKind, Closure, Holiday, Session, TimeOff
from scheduling.service_layer.scope import Scope, facts


async def closed_holidays(scope: Scope, start: datetime, end: datetime) -> list[TimeOff]:
    """The public holidays over [start, end) the clinic has not chosen to open on; the database
    is asked only when there is a holiday in the range."""
    zone = scope.clinic.zone
    days = closures.local_days(start, end, zone)
    found = public_holidays(scope.clinic.country, days[0], days[-1])
    if not found:
        return []
    opened = await scope.staff.openings(days[0], days[-1])
    return closures.closed_holidays(found, opened, zone)


async def absences(
    scope: Scope, practitioner_id: uuid.UUID, start: datetime, end: datetime
) -> list[TimeOff]:
    """Everything over [start, end) that keeps the practitioner from being booked: their time
    off, the clinic's closures and its closed public holidays."""
    return [
        *await scope.staff.time_off(practitioner_id, start, end),
        *await scope.staff.closures_as_absences(start, end),
        *await closed_holidays(scope, start, end),
    ]


async def add_time_off(
    scope: Scope, practitioner_id: uuid.UUID, away: TimeOff, *, force: bool = False
) -> tuple[uuid.UUID, list[Session]]:
    """Record an absence; past ones too (back to 1970), none past the booking horizon. Its id,
    and the booked sessions inside it, flagged (`force`)."""
    _check_span(scope, away.starts_at, away.ends_at)
    found = await scope.staff.practitioner(practitioner_id)
    if found is None:
        raise NotFound(f"No practitioner {practitioner_id}.")
    time_off_id = uuid.uuid4()
    away = replace(away, id=time_off_id, kind=AbsenceKind.TIME_OFF)
    flagged = await _cover(scope, away, practitioner_id, force=force)
    await scope.staff.add_time_off(time_off_id, practitioner_id, away)
    return time_off_id, flagged


async def delete_time_off(scope: Scope, time_off_id: uuid.UUID) -> None:
    """Forget a time off; its sessions lose their flag unless something else still covers them."""
    found = await scope.staff.time_off_by_id(time_off_id)
    if found is None:
        raise NotFound(f"No time off {time_off_id}.")
    practitioner_id, away = found
    await scope.calendar.hold_bookings()
    await scope.staff.delete_time_off(time_off_id)
    await _reflag(scope, away.starts_at, away.ends_at, practitioner_id)


async def add_closure(
    scope: Scope, *, starts_at: datetime, ends_at: datetime, reason: str, by: str, force: bool
) -> tuple[Closure, list[Session]]:
    """Close the clinic over [starts_at, ends_at): no practitioner is booked then. The closure,
    and the booked sessions inside it, flagged (`force`)."""
    _check_span(scope, starts_at, ends_at)
    closure = Closure(uuid.uuid4(), starts_at, ends_at, reason, by, scope.clinic.now)
    away = TimeOff(starts_at, ends_at, reason, AbsenceKind.CLOSURE, closure.id)
    flagged = await _cover(scope, away, None, force=force)
    await scope.staff.add_closure(closure)
    return closure, flagged


async def delete_closure(scope: Scope, closure_id: uuid.UUID) -> None:
    closure = await scope.staff.closure(closure_id)
    if closure is None:
        raise NotFound(f"No closure {closure_id}.")
    await scope.calendar.hold_bookings()
    await scope.staff.delete_closure(closure_id)
    await _reflag(scope, closure.starts_at, closure.ends_at, None)


async def closed(scope: Scope, start: datetime, end: datetime) -> list[TimeOff]:
    """The clinic's closures and closed public holidays overlapping [start, end), by start."""
    found = [
        *await scope.staff.closures_as_absences(start, end),
        *await closed_holidays(scope, start, end),
    ]
    return sorted(found, key=lambda a: a.starts_at)


async def holidays(scope: Scope, year: int) -> list[Holiday]:
    """The country's public holidays of a year, each with who opened the clinic on it, if so."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    opened = await scope.staff.openings(first, last)
    return [
        Holiday(day, name, opened.get(day))
        for day, name in public_holidays(scope.clinic.country, first, last).items()
    ]


async def set_holiday(scope: Scope, day: date, *, open: bool, by: str, force: bool) -> Holiday:
    """Open the clinic on a public holiday (recorded, with who chose to), or close it again:
    closing it over booked sessions is refused unless forced, as a closure is."""
    clinic = scope.clinic
    rules.check_day_horizon(day, clinic.now, clinic.horizon, clinic.zone, "path.day")
    name = public_holidays(clinic.country, day, day).get(day)
    if name is None:
        raise NotFound(f"{day} is not a public holiday in {clinic.country}.")
    start, end = closures.whole_day(day, clinic.zone)
    if open:
        await scope.calendar.hold_bookings()
        await scope.staff.open_on(day, by, clinic.now)
        await _reflag(scope, start, end, None)
        return Holiday(day, name, (await scope.staff.openings(day, day))[day])
    if day in await scope.staff.openings(day, day):
        await _cover(scope, TimeOff(start, end, name, AbsenceKind.HOLIDAY), None, force=force)
        await scope.staff.close_on(day)
    return Holiday(day, name)


def _check_span(scope: Scope, starts_at: datetime, ends_at: datetime) -> None:
    clinic = scope.clinic
    rules.check_horizon(starts_at, clinic.now, clinic.horizon, "body.starts_at")
    rules.check_horizon(ends_at, clinic.now, clinic.horizon, "body.ends_at")
    if ends_at <= starts_at:
        raise Unprocessable(
            "A span must end after it starts.",
            errors=[{"field": "body.ends_at", "reason": "not after starts_at"}],
        )


async def _cover(
    scope: Scope, away: TimeOff, practitioner_id: uuid.UUID | None, *, force: bool
) -> list[Session]:
    """Refuse `away` over booked sessions (of the practitioner, or all for the clinic) unless
    `force`; then flag each of them for staff, and return them."""
    await scope.calendar.hold_bookings()
    covered = await scope.calendar.upcoming_within(
        away.starts_at, away.ends_at, practitioner_id=practitioner_id
    )
    if covered and not force:
        raise SessionsCovered(covered)
    await _flag(scope, covered, [away])
    for session in covered:
        # newly displaced and still to come: its patient may pick a new time
        if session.closure_conflict is None and session.starts_at > scope.clinic.now:
            course = await scope.course(session.course_id)
            scope.uow.emit(SessionDisplaced(**facts(session, course)))
    return covered


async def _reflag(
    scope: Scope, start: datetime, end: datetime, practitioner_id: uuid.UUID | None
) -> None:
    """After an absence went: each flagged session over [start, end) keeps a flag only while
    another time off, closure or closed holiday still covers it."""
    flagged = await scope.calendar.upcoming_within(
        start, end, practitioner_id=practitioner_id, flagged_only=True
    )
    for session in flagged:
        still = await absences(scope, session.practitioner_id, session.starts_at, session.ends_at)
        await _flag(scope, [session], still)


async def _flag(scope: Scope, sessions: Sequence[Session], over: Sequence[TimeOff]) -> None:
    for session in sessions:
        found = closures.covering(session, over)
        flag = closures.describe(found) if found else None
        if flag != session.closure_conflict:
            await scope.calendar.update_session(session.id, scope.clinic.now, closure_conflict=flag)
