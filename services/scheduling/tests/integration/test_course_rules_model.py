"""Model-based (issue 19): whatever a clinic's desk does to courses, in any order, the courses keep
their rules.

A Hypothesis state machine drives scheduling's service layer on PostgreSQL: it opens courses (with
a prescribed interval or the treatment's), books sessions one by one and several at once
(book-plan), plans and books plans, cancels, marks no-shows, completes (which may complete a
course, and then the area's next course waits out the maintenance pause), moves sessions (alone or
with the later ones), abandons, accepts gaps, and records time off and closures (forced or not),
on a clock it moves itself (to a session's start, to complete or miss it), and reads where a
session may move (`/window`: every day it offers keeps the interval, its closed days are those an
absence covers). Sessions beside a gap are picked often: a move may narrow a gap, never widen
it or leave it harder to fill. A small pure model
keeps what the clinic has (courses, sessions, absences, France's spring 2030 holidays, accepted
gaps) with its own arithmetic, and:
- says, where its rules decide it, whether a command must be accepted or refused, and holds the
  service to it;
- after every step, reads every course back and checks that the service holds what the model
  holds, and that:
  - every pair of consecutive active sessions of a course is at least the prescribed interval
    apart, and at most the treatment's, or is a gap the course lists and flags
    `interval_broken` (unless staff accepted it);
  - no patient, practitioner or room is in two sessions at once;
  - an upcoming session carries `closure_conflict` exactly when time off, a closure or a
    holiday covers it (which only a forced absence can do);
  - no session of a course comes before the maintenance pause after the area's last course;
  - active sessions are numbered 1..n by start.

`MODEL_EXAMPLES` sets how many examples to run (a longer, randomised search than the default's).
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from clinic_shared.errors import AppError
from clinic_shared.runtime import ServiceRuntime
from clinic_testing.models import run_state_machine
from clinic_testing.postgres import PostgresDatabases
from scheduling.adapters.orm import metadata
from scheduling.bootstrap import build_app
from scheduling.domain.model import TimeOff, WorkingHours
from scheduling.service_layer import closures, courses, moves, outcomes, staff
from scheduling.service_layer.booking import book_session
from scheduling.service_layer.gaps import accept_gaps
from scheduling.service_layer.patients import RegisterPatient, register_patient
from scheduling.service_layer.scope import Scope, open_scope
from scheduling.settings import SchedulingSettings

T = TypeVar("T")
ZONE = ZoneInfo("Europe/Paris")
TODAY = date(2030, 3, 4)  # a Monday; DST starts on 31 March 2030
CLOCK_STARTS = datetime.combine(TODAY, time(8), tzinfo=ZONE)
OPENS, CLOSES = time(9), time(18)  # every practitioner's hours, Monday to Saturday
KEPT = {"treatments", "alembic_version"}  # the catalogue the migrations wrote
# France's public holidays in spring 2030 (CLINIC_COUNTRY=FR): the clinic is closed all day
HOLIDAYS = {date(2030, 4, 22), date(2030, 5, 1), date(2030, 5, 8), date(2030, 5, 30)}
MAINTENANCE_DAYS = 30  # every treatment's pause after a completed course of its area
INTERVALS = [None, (7, 10), (8, 12)]  # prescribed: the treatment's, or one of these


@dataclass(frozen=True)
class Rules:
    """A treatment as the model knows it (its own copy of the catalogue's row)."""

    area: str
    minutes: int
    shortest: int  # days between consecutive sessions
    longest: int


TREATMENTS = {
    "cellulite-thighs": Rules("thighs", 30, 7, 15),
    "cellulite-thighs-intensive": Rules("thighs", 30, 7, 10),
    "cellulite-calves": Rules("calves", 20, 7, 15),
}
UPCOMING = {"booked", "confirmed"}
ACTIVE = UPCOMING | {"completed"}


def day_of(instant: datetime) -> date:
    return instant.astimezone(ZONE).date()


def days_between(a: datetime, b: datetime) -> int:
    return (day_of(b) - day_of(a)).days


def clash(a: tuple[datetime, datetime], b: tuple[datetime, datetime]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class MSession:
    id: uuid.UUID
    course: uuid.UUID
    patient: uuid.UUID
    practitioner: uuid.UUID
    room: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    status: str = "booked"

    @property
    def span(self) -> tuple[datetime, datetime]:
        return self.starts_at, self.ends_at


@dataclass
class MCourse:
    id: uuid.UUID
    patient: uuid.UUID
    treatment: str
    practitioner: uuid.UUID
    planned: int
    shortest: int  # the prescribed interval
    longest: int
    status: str = "active"
    accepted: list[tuple[datetime, datetime]] = field(default_factory=list)

    @property
    def rules(self) -> Rules:
        """The treatment's: its bounds judge gaps; the prescription's, bookings and moves."""
        return TREATMENTS[self.treatment]


@dataclass
class Model:
    """The clinic as the rules see it."""

    now: datetime
    practitioners: list[uuid.UUID] = field(default_factory=list)
    rooms: list[uuid.UUID] = field(default_factory=list)
    patients: list[uuid.UUID] = field(default_factory=list)
    courses: dict[uuid.UUID, MCourse] = field(default_factory=dict)
    sessions: dict[uuid.UUID, MSession] = field(default_factory=dict)
    # time off (a practitioner's) and closures (None: everyone's)
    away: list[tuple[uuid.UUID | None, datetime, datetime]] = field(default_factory=list)

    def open_courses(self) -> list[MCourse]:
        return [c for c in self.courses.values() if c.status == "active"]

    def active(self, course: uuid.UUID) -> list[MSession]:
        return sorted(
            (s for s in self.sessions.values() if s.course == course and s.status in ACTIVE),
            key=lambda s: s.starts_at,
        )

    def gaps(self, course: MCourse) -> list[tuple[datetime, datetime]]:
        active = self.active(course.id)
        return [
            (a.starts_at, b.starts_at)
            for a, b in itertools.pairwise(active)
            if days_between(a.starts_at, b.starts_at) > course.rules.longest
        ]

    def covered(self, session: MSession, span: tuple[datetime, datetime] | None = None) -> bool:
        """Whether time off, a closure or a holiday covers the session (or it at `span`)."""
        start, end = span or session.span
        if day_of(start) in HOLIDAYS or day_of(end - timedelta(microseconds=1)) in HOLIDAYS:
            return True
        return any(
            who in (None, session.practitioner) and clash((start, end), (lo, hi))
            for who, lo, hi in self.away
        )

    def floor(self, course: MCourse) -> date | None:
        """The first day a course may have a session: the area's last completed course's last
        completed session, plus the pause."""
        days = [
            day_of(s.starts_at) + timedelta(days=MAINTENANCE_DAYS)
            for other in self.courses.values()
            if other.id != course.id
            and other.status == "completed"
            and other.patient == course.patient
            and other.rules.area == course.rules.area
            for s in self.sessions.values()
            if s.course == other.id and s.status == "completed"
        ]
        return max(days, default=None)

    def accepted(self, course: MCourse, gap: tuple[datetime, datetime]) -> bool:
        return any(lo <= gap[0] and gap[1] <= hi for lo, hi in course.accepted)

    def slot_refused(
        self, session: MSession, starts_at: datetime, ignoring: set[uuid.UUID]
    ) -> str | None:
        """Why a session may not stand at `starts_at` for reasons other than its course's
        interval (None when it may): the past, the hours, time off, someone or something busy."""
        ends_at = starts_at + timedelta(minutes=self.courses[session.course].rules.minutes)
        local_start, local_end = starts_at.astimezone(ZONE), ends_at.astimezone(ZONE)
        if starts_at < self.now:
            return "past"
        if local_start.weekday() == 6 or local_start.date() != local_end.date():
            return "hours"
        if local_start.time() < OPENS or local_end.time() > CLOSES:
            return "hours"
        if self.covered(session, (starts_at, ends_at)):
            return "away or closed"
        floor = self.floor(self.courses[session.course])
        if floor is not None and local_start.date() < floor:
            return "maintenance"
        for other in self.sessions.values():
            if other.id in ignoring or other.status not in ACTIVE:
                continue
            if not clash((starts_at, ends_at), other.span):
                continue
            if (
                other.patient == session.patient
                or other.practitioner == session.practitioner
                or other.room == session.room
            ):
                return "taken"
        return None

    def interval_verdict(self, course: MCourse, starts_at: datetime) -> bool:
        """Whether the course's interval lets a new session start then: within the bounds of
        the sessions on either side, or in a gap where what is left of it can still be filled
        by one session fewer than the gap needed."""
        lo, hi = course.shortest, course.longest
        before = [s for s in self.active(course.id) if s.starts_at <= starts_at]
        after = [s for s in self.active(course.id) if s.starts_at > starts_at]
        prev = before[-1].starts_at if before else None
        nxt = after[0].starts_at if after else None
        fits = lambda d: lo <= d <= hi  # noqa: E731
        if prev is not None and not fits(days_between(prev, starts_at)):
            return False
        if nxt is None:
            return True
        rest = days_between(starts_at, nxt)
        if prev is None or days_between(prev, nxt) <= hi:
            return fits(rest)
        legs = -(-days_between(prev, nxt) // hi) - 1  # legs left once it is booked
        return legs * lo <= rest <= legs * hi


@dataclass
class World:
    runtime: ServiceRuntime
    loop: asyncio.Runner

    def run(self, work: Callable[[], Awaitable[T]]) -> T:
        return self.loop.run(_coroutine(work))

    async def reset(self) -> None:
        """Every table but the catalogue emptied (DELETE: the tables hold a few rows)."""
        async with self.runtime.db.session() as session:
            for table in reversed(metadata.sorted_tables):
                if table.name not in KEPT:
                    await session.execute(sa.delete(table))
            await session.commit()

    async def in_scope(self, now: datetime, work: Callable[[Scope], Awaitable[T]]) -> T:
        """Run `work` in one unit of work at `now`, and commit it (a refusal rolls it back)."""
        async with open_scope(self.runtime, now=now) as scope:
            scope.act_as("desk-1", "receptionist")
            result = await work(scope)
            await scope.uow.commit()
            return result


async def _coroutine(work: Callable[[], Awaitable[T]]) -> T:
    return await work()


class NoLots:
    """Completions here name no lot, so inventory is never asked."""

    async def check(self, session_on: date, used: Any) -> Any:
        raise AssertionError("inventory asked about a completion naming no lot")


class CourseRules(RuleBasedStateMachine):
    world: ClassVar[World]

    def __init__(self) -> None:
        super().__init__()
        self.world.run(self.world.reset)
        self.model = Model(now=CLOCK_STARTS)

    # -- the clinic ---------------------------------------------------------------------------

    @initialize()
    def open_the_clinic(self) -> None:
        async def setup(scope: Scope) -> None:
            for name in ("Dr Dubois", "Dr Martin"):
                practitioner = await staff.add_practitioner(scope, name, None)
                week = [WorkingHours(d, OPENS, CLOSES) for d in range(6)]
                await staff.set_hours(scope, practitioner.id, week)
                self.model.practitioners.append(practitioner.id)
            for name in ("Room 1", "Room 2"):
                self.model.rooms.append((await staff.add_room(scope, name)).id)
            for first in ("Amelia", "Zoe"):
                cmd = RegisterPatient(
                    first_name=first,
                    last_name="Hart",
                    phone=None,
                    email=f"{first.lower()}@example.com",
                    language="en",
                    preferred_channel="email",
                    consent_sms=False,
                    consent_email=True,
                )
                patient = await register_patient(scope, cmd, country="FR")
                self.model.patients.append(patient.id)

        self._run(setup)

    # -- steps --------------------------------------------------------------------------------

    @precondition(lambda self: len(self.model.open_courses()) < 3 and len(self.model.courses) < 8)
    @rule(
        patient=st.integers(0, 1),
        practitioner=st.integers(0, 1),
        treatment=st.sampled_from(sorted(TREATMENTS)),
        planned=st.integers(3, 6),
        interval=st.sampled_from(INTERVALS),
    )
    def open_course(
        self,
        patient: int,
        practitioner: int,
        treatment: str,
        planned: int,
        interval: tuple[int, int] | None,
    ) -> None:
        model = self.model
        pid, doctor = model.patients[patient], model.practitioners[practitioner]
        rules = TREATMENTS[treatment]
        lo, hi = interval or (rules.shortest, rules.longest)
        refused = lo < rules.shortest or hi > rules.longest
        refused = refused or any(
            c.patient == pid and c.status == "active" and c.rules.area == rules.area
            for c in model.courses.values()
        )
        view = self._try(
            lambda s: courses.open_course(
                s,
                patient_id=pid,
                treatment_code=treatment,
                practitioner_id=doctor,
                sessions_planned=planned,
                min_interval_days=interval and lo,
                max_interval_days=interval and hi,
                by="doctor",
            ),
            refused=refused,
        )
        if view is not None:
            cid = view.course.id
            model.courses[cid] = MCourse(cid, pid, treatment, doctor, planned, lo, hi)

    @precondition(lambda self: bool(self.model.courses))
    @rule(
        data=st.data(),
        days=st.integers(-2, 17),
        hour=st.sampled_from([8, 9, 10, 14, 17]),
        minute=st.sampled_from([0, 30]),
        room=st.integers(0, 1),
    )
    def book(self, data: st.DataObject, days: int, hour: int, minute: int, room: int) -> None:
        """Book a session some days after one of the course's (or today)."""
        model = self.model
        course = self._course(data)
        bases = [day_of(model.now)] + [day_of(s.starts_at) for s in model.active(course.id)]
        base = data.draw(st.sampled_from(bases))
        starts_at = datetime.combine(base + timedelta(days=days), time(hour, minute), tzinfo=ZONE)
        session = self._new_session(course, starts_at, model.rooms[room])
        why = self._booking_refused(course, session)
        booked = self._try(
            lambda s: book_session(
                s, course_id=course.id, starts_at=starts_at, room_id=model.rooms[room]
            ),
            refused=why is not None,
        )
        if booked is not None:
            session.id = booked.id
            model.sessions[booked.id] = session

    @precondition(lambda self: bool(self.model.courses))
    @rule(
        data=st.data(),
        days=st.integers(0, 10),
        every=st.integers(6, 16),
        count=st.integers(2, 4),
        hour=st.sampled_from([9, 10, 14, 17]),
        room=st.integers(0, 1),
    )
    def book_series(
        self, data: st.DataObject, days: int, every: int, count: int, hour: int, room: int
    ) -> None:
        """Book several sessions at once (book-plan), `every` days apart: all or none."""
        model = self.model
        course = self._course(data)
        first = day_of(model.now) + timedelta(days=days)
        added: list[MSession] = []
        refused = False
        for n in range(count):
            starts_at = datetime.combine(first + timedelta(days=n * every), time(hour), tzinfo=ZONE)
            session = self._new_session(course, starts_at, model.rooms[room])
            refused = refused or self._booking_refused(course, session) is not None
            added.append(session)
            model.sessions[session.id] = session  # the later ones are judged after it
        for session in added:
            del model.sessions[session.id]
        starts = [courses.PlannedStart(s.starts_at, s.room) for s in added]
        booked = self._try(lambda s: courses.book_plan(s, course.id, starts), refused=refused)
        for session, done in zip(added, booked or [], strict=False):
            session.id = done.id
            model.sessions[done.id] = session

    @precondition(lambda self: bool(self.model.courses))
    @rule(data=st.data(), book=st.integers(0, 2))
    def plan(self, data: st.DataObject, book: int) -> None:
        """Plan the rest of a course and check each proposal; book the plan (two times in
        three), or not."""
        model = self.model
        course = self._course(data)

        async def plan_and_book(scope: Scope) -> Any:
            proposals = await courses.plan(scope, course.id, courses.PlanOptions())
            self._check_plan(course, proposals)
            if not book or not proposals:
                return []
            starts = [courses.PlannedStart(p.starts_at, p.room_id) for p in proposals]
            return await courses.book_plan(scope, course.id, starts)

        refused = True if course.status != "active" else None
        booked = self._try(plan_and_book, refused=refused)
        for session in booked or []:
            model.sessions[session.id] = MSession(
                session.id,
                course.id,
                course.patient,
                course.practitioner,
                session.room_id,
                session.starts_at,
                session.ends_at,
            )

    @precondition(lambda self: bool(self.model.sessions))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        session = self._session(data)
        done = self._try(
            lambda s: outcomes.cancel(s, session.id, "model"),
            refused=session.status not in UPCOMING,
        )
        if done is not None:
            session.status = "cancelled"

    @precondition(lambda self: bool(self.model.sessions))
    @rule(data=st.data(), completed=st.booleans())
    def end_session(self, data: st.DataObject, completed: bool) -> None:
        """The clock runs to a session's start (if it is ahead); it is completed, or missed."""
        session = self._session(data)
        self.model.now = max(self.model.now, session.starts_at + timedelta(minutes=5))
        course = self.model.courses[session.course]
        refused = session.status not in UPCOMING
        if completed:
            done = self._try(
                lambda s: outcomes.complete(s, session.id, [], NoLots()), refused=refused
            )
        else:
            done = self._try(lambda s: outcomes.no_show(s, session.id), refused=refused)
        if done is None:
            return
        session.status = "completed" if completed else "no_show"
        finished = sum(
            s.course == course.id and s.status == "completed" for s in self.model.sessions.values()
        )
        if course.status == "active" and finished >= course.planned:
            course.status = "completed"

    @precondition(lambda self: bool(self.model.sessions))
    @rule(
        data=st.data(),
        days=st.integers(-4, 4),
        hour=st.sampled_from([9, 11, 17]),
        shift=st.booleans(),
    )
    def move(self, data: st.DataObject, days: int, hour: int, shift: bool) -> None:
        model = self.model
        target = self._session(data)
        course = model.courses[target.course]
        local = target.starts_at.astimezone(ZONE)
        starts_at = datetime.combine(local.date() + timedelta(days=days), time(hour), tzinfo=ZONE)
        moving = [target]
        if shift:
            moving += [
                s
                for s in model.sessions.values()
                if s.course == course.id and s.status in UPCOMING and s.starts_at > target.starts_at
            ]
        shift_by = days_between(target.starts_at, starts_at)
        new_starts = {target.id: starts_at} | {
            s.id: _same_time_later(s.starts_at, shift_by) for s in moving[1:]
        }
        refused = self._move_verdict(course, target, moving, new_starts)
        moved = self._try(
            lambda s: moves.reschedule(
                s, session_id=target.id, starts_at=starts_at, shift_following=shift
            ),
            refused=refused,
        )
        if moved is None:
            return
        assert {m.id for m in moved} == {s.id for s in moving}
        for session in moving:
            session.starts_at = new_starts[session.id]
            session.ends_at = session.starts_at + timedelta(minutes=course.rules.minutes)
            session.status = "booked"

    @precondition(lambda self: bool(self.model.sessions))
    @rule(data=st.data())
    def move_window(self, data: st.DataObject) -> None:
        """Read where a session may move (`/window`): every day of its window, alone, keeps the
        interval as the model judges it, and the days named closed are those on which time off,
        a closure or a holiday covers it at its time of day."""
        model = self.model
        target = self._session(data)
        course = model.courses[target.course]
        if target.status not in UPCOMING or course.status != "active":
            return
        windows = self._run(lambda s: moves.move_windows(s, target.id))
        alone = windows.alone
        if alone.earliest is None or alone.latest is None:
            return
        closed = {day for day, _ in windows.closed}
        today = day_of(model.now)
        active = model.active(course.id)
        others = [s for s in active if s.id != target.id]
        for offset in range((alone.latest - alone.earliest).days + 1):
            day = alone.earliest + timedelta(days=offset)
            place = _same_time_later(target.starts_at, (day - day_of(target.starts_at)).days)
            before = [(s.starts_at, s.id) for s in others if s.starts_at <= place]
            after = [(s.starts_at, s.id) for s in others if s.starts_at > place]
            passes = len(before) != len([s for s in others if s.starts_at <= target.starts_at])
            if not passes:
                neighbours = (before[-1] if before else None, after[0] if after else None)
                assert self._interval_holds(course, target, place, *neighbours), f"offers {day}"
            if day >= today:
                span = (place, place + (target.ends_at - target.starts_at))
                assert (day in closed) == model.covered(target, span), f"{day} closed?"

    @precondition(lambda self: bool(self.model.open_courses()))
    @rule(data=st.data(), now=st.integers(0, 5))
    def abandon(self, data: st.DataObject, now: int) -> None:
        """Abandon a course (one time in six: it ends the course)."""
        if now:
            return
        model = self.model
        course = self._course(data)
        mine = [s for s in model.sessions.values() if s.course == course.id]
        under_way = any(s.status in UPCOMING and s.starts_at <= model.now < s.ends_at for s in mine)
        done = self._try(
            lambda s: courses.abandon(s, course.id),
            refused=course.status != "active" or under_way,
        )
        if done is None:
            return
        course.status = "abandoned"
        for session in mine:
            if session.status in UPCOMING and session.starts_at > model.now:
                session.status = "cancelled"

    @precondition(lambda self: any(len(self.model.active(c)) > 1 for c in self.model.courses))
    @rule(data=st.data())
    def accept_the_gaps(self, data: st.DataObject) -> None:
        model = self.model
        with_gaps = [c for c, course in model.courses.items() if model.gaps(course)]
        if with_gaps and data.draw(st.integers(0, 4)):
            course = model.courses[data.draw(st.sampled_from(with_gaps))]
        else:
            course = self._course(data)
        gaps = model.gaps(course)
        done = self._try(lambda s: accept_gaps(s, course.id, "staff-1"), refused=not gaps)
        if done is not None:
            course.accepted += [g for g in gaps if not model.accepted(course, g)]

    @precondition(lambda self: len(self.model.away) < 3)
    @rule(
        practitioner=st.sampled_from([0, 1, None]),
        days=st.integers(0, 30),
        hour=st.sampled_from([0, 9, 12]),
        hours=st.sampled_from([3, 24, 72]),
        force=st.booleans(),
    )
    def time_off_or_closure(
        self, practitioner: int | None, days: int, hour: int, hours: int, force: bool
    ) -> None:
        """A practitioner's time off (or, for nobody in particular, a closure of the clinic):
        over booked sessions, refused unless forced, and then they are flagged."""
        model = self.model
        who = None if practitioner is None else model.practitioners[practitioner]
        start = datetime.combine(day_of(model.now) + timedelta(days=days), time(hour), tzinfo=ZONE)
        end = start + timedelta(hours=hours)
        covered = [
            s
            for s in model.sessions.values()
            if s.status in UPCOMING
            and who in (None, s.practitioner)
            and clash(s.span, (start, end))
        ]
        if who is None:
            work = lambda s: closures.add_closure(  # noqa: E731
                s, starts_at=start, ends_at=end, reason="works", by="admin", force=force
            )
        else:
            work = lambda s: closures.add_time_off(  # noqa: E731
                s, who, TimeOff(start, end, "leave"), force=force
            )
        done = self._try(work, refused=bool(covered) and not force)
        if done is not None:
            model.away.append((who, start, end))
            assert {s.id for s in done[1]} == {s.id for s in covered}

    # -- invariants ---------------------------------------------------------------------------

    @invariant()
    def courses_read_back_as_the_model_holds_them_and_keep_their_interval(self) -> None:
        """The service holds the model's courses and sessions, numbered 1..n by start; each
        pair of consecutive active sessions is within the bounds, or a gap the course lists
        and flags (unless staff accepted it)."""
        model = self.model
        views = self._run(lambda s: _read_all(s, list(model.courses)))
        for view in views:
            course = model.courses[view.course.id]
            assert view.course.status.value == course.status, course.id
            held = {
                s.id: (s.status.value, s.starts_at, s.ends_at, s.room_id) for s in view.sessions
            }
            mine = {
                s.id: (s.status, s.starts_at, s.ends_at, s.room)
                for s in model.sessions.values()
                if s.course == course.id
            }
            assert held == mine
            for session in view.sessions:
                if session.status.value in UPCOMING:
                    flagged = session.closure_conflict is not None
                    covered = model.covered(model.sessions[session.id])
                    assert flagged == covered, f"session {session.id}: flag {flagged}"
            floor = model.floor(course)
            for session in model.active(course.id):
                assert floor is None or day_of(session.starts_at) >= floor, "before the pause"
            active = [s for s in view.sessions if s.status.value in ACTIVE]
            assert [s.sequence for s in active] == list(range(1, len(active) + 1))
            for a, b in itertools.pairwise(model.active(course.id)):
                apart = days_between(a.starts_at, b.starts_at)
                assert apart >= course.shortest, f"sessions {apart} days apart"
            gaps = model.gaps(course)
            listed = [(g.gap.before.starts_at, g.gap.after.starts_at) for g in view.gaps]
            assert listed == gaps, f"course {course.id} lists {listed}, the model {gaps}"
            broken = any(not model.accepted(course, g) for g in gaps)
            assert view.interval_broken == broken, course.id

    @invariant()
    def nobody_and_no_room_is_in_two_places(self) -> None:
        active = [s for s in self.model.sessions.values() if s.status in ACTIVE]
        for a, b in itertools.combinations(active, 2):
            if clash(a.span, b.span):
                assert a.patient != b.patient, f"patient in {a.id} and {b.id}"
                assert a.practitioner != b.practitioner, f"practitioner in {a.id} and {b.id}"
                assert a.room != b.room, f"room in {a.id} and {b.id}"

    # -- helpers ------------------------------------------------------------------------------

    def _new_session(self, course: MCourse, starts_at: datetime, room: uuid.UUID) -> MSession:
        ends_at = starts_at + timedelta(minutes=course.rules.minutes)
        return MSession(
            uuid.uuid4(), course.id, course.patient, course.practitioner, room, starts_at, ends_at
        )

    def _booking_refused(self, course: MCourse, session: MSession) -> str | None:
        model = self.model
        if course.status != "active":
            return "course"
        if len(model.active(course.id)) >= course.planned:
            return "full"
        if (why := model.slot_refused(session, session.starts_at, set())) is not None:
            return why
        if not model.interval_verdict(course, session.starts_at):
            return "interval"
        return None

    def _move_verdict(
        self,
        course: MCourse,
        target: MSession,
        moving: list[MSession],
        new_starts: dict[uuid.UUID, datetime],
    ) -> bool | None:
        """True: it must be refused; False: it must be done; None: the model does not say."""
        model = self.model
        if target.status not in UPCOMING or course.status != "active":
            return True
        ids = {s.id for s in moving}
        for session in moving:
            if model.slot_refused(session, new_starts[session.id], ids) is not None:
                return True
        spans = [
            (new_starts[s.id], new_starts[s.id] + timedelta(minutes=course.rules.minutes))
            for s in moving
        ]
        if any(clash(a, b) for a, b in itertools.combinations(spans, 2)):
            return True
        others = [s for s in model.active(course.id) if s.id != target.id]
        old_before = [s for s in others if s.starts_at <= target.starts_at]
        new_place = new_starts[target.id]
        after_move = sorted(
            (new_starts.get(s.id, s.starts_at), s.id) for s in model.active(course.id)
        )
        index = after_move.index((new_place, target.id))
        new_before = [s for s in others if new_starts.get(s.id, s.starts_at) <= new_place]
        if len(new_before) != len(old_before):
            return None  # it passes another session: the model leaves that to the invariants
        before = after_move[index - 1] if index > 0 else None
        after = after_move[index + 1] if index + 1 < len(after_move) else None
        return not self._interval_holds(course, target, new_place, before, after)

    def _interval_holds(
        self,
        course: MCourse,
        target: MSession,
        new_place: datetime,
        before: tuple[datetime, uuid.UUID] | None,
        after: tuple[datetime, uuid.UUID] | None,
    ) -> bool:
        """Whether the course's interval lets `target` move to `new_place` between `before` and
        `after` (their starts after the move, and ids): where a booking could go, or keeping a
        gap it had on either side no wider and no harder to fill."""
        lo, hi = course.shortest, course.longest
        fits = lambda d: lo <= d <= hi  # noqa: E731
        fillable = lambda d: d <= hi or -(-d // hi) * lo <= d  # noqa: E731
        old = target.starts_at
        sides = []
        if before is not None:
            was = days_between(self.model.sessions[before[1]].starts_at, old)
            sides.append((days_between(before[0], new_place), was))
        if after is not None:
            was = days_between(old, self.model.sessions[after[1]].starts_at)
            sides.append((days_between(new_place, after[0]), was))
        kept = lambda d, was: hi < d <= was and (fillable(d) or not fillable(was))  # noqa: E731
        if all(fits(d) or kept(d, was) for d, was in sides):
            return True
        if before is None or after is None or days_between(before[0], after[0]) <= hi:
            return False
        legs = -(-days_between(before[0], after[0]) // hi) - 1  # once it is booked
        left, right = sides[0][0], sides[1][0]
        return fits(left) and legs * lo <= right <= legs * hi

    def _check_plan(self, course: MCourse, proposals: list[Any]) -> None:
        """Each proposal is a free slot, and booked all together they keep the interval (or
        leave only the gaps staff accepted)."""
        model = self.model
        assert len(proposals) == course.planned - len(model.active(course.id))
        taken: list[MSession] = []
        for proposal in proposals:
            session = self._new_session(course, proposal.starts_at, proposal.room_id)
            assert proposal.ends_at == session.ends_at
            why = model.slot_refused(session, session.starts_at, set())
            assert why is None, f"a proposal at {proposal.starts_at}: {why}"
            for other in taken:
                assert not clash(session.span, other.span), "two proposals at once"
            taken.append(session)
        starts = sorted(s.starts_at for s in [*model.active(course.id), *taken])
        for a, b in itertools.pairwise(starts):
            apart = days_between(a, b)
            assert apart >= course.shortest, f"a plan {apart} days apart"
            if apart > course.rules.longest:
                assert model.accepted(course, (a, b)), f"a plan leaving a {apart}-day gap"

    def _course(self, data: st.DataObject) -> MCourse:
        """A course, most often an active one (the others mostly refuse)."""
        every = list(self.model.courses)
        active = [c for c in every if self.model.courses[c].status == "active"]
        pool = active if active and data.draw(st.integers(0, 4)) else every
        return self.model.courses[data.draw(st.sampled_from(pool))]

    def _session(self, data: st.DataObject) -> MSession:
        """A session: most often an upcoming one (the others mostly refuse), often one in the
        middle of its course (where a cancellation or a miss leaves a gap)."""
        model = self.model
        every = list(model.sessions)
        upcoming = [s for s in every if model.sessions[s].status in UPCOMING]
        middle = [
            s.id for c in model.courses for s in model.active(c)[1:-1] if s.status in UPCOMING
        ]
        beside_gaps = [
            s.id
            for course in model.courses.values()
            for gap in model.gaps(course)
            for s in model.active(course.id)
            if s.starts_at in gap and s.status in UPCOMING
        ]
        pools = [p for p in (beside_gaps, middle, upcoming) if p] + [every]
        pool = pools[min(data.draw(st.integers(0, 4)), len(pools) - 1)]
        return model.sessions[data.draw(st.sampled_from(pool))]

    def _run(self, work: Callable[[Scope], Awaitable[T]]) -> T:
        return self.world.run(lambda: self.world.in_scope(self.model.now, work))

    def _try(self, work: Callable[[Scope], Awaitable[T]], *, refused: bool | None) -> T | None:
        """Run a command; hold its outcome to the model's verdict when the model has one."""
        try:
            result = self._run(work)
        except AppError as exc:
            refusal: AppError | None = exc
            result = None
        else:
            refusal = None
        if refusal is not None:
            assert refused is not False, f"refused, the model says it holds: {refusal.detail}"
        else:
            assert refused is not True, "done, the model says it must be refused"
        return result


def _same_time_later(instant: datetime, days: int) -> datetime:
    local = instant.astimezone(ZONE)
    return datetime.combine(local.date() + timedelta(days=days), local.time(), tzinfo=ZONE)


async def _read_all(scope: Scope, ids: list[uuid.UUID]) -> list[courses.CourseView]:
    return [await courses.read_course(scope, course_id) for course_id in ids]


# A pass takes well under a minute; a failure is shrunk for up to Hypothesis's five minutes.
@pytest.mark.timeout(600)
def test_courses_keep_their_rules_whatever_the_desk_does(
    postgres_databases: PostgresDatabases,
) -> None:
    with asyncio.Runner() as loop:
        url = loop.run(postgres_databases.fresh("scheduling", "scheduling:migrations"))
        config = SchedulingSettings(database_url=url, run_migrations=False, seed_demo_data=False)
        runtime = build_app(config).state.runtime
        CourseRules.world = World(runtime, loop)
        try:
            run_state_machine(CourseRules, examples=10, steps=25)
        finally:
            loop.run(runtime.db.dispose())
