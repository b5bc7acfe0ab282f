"""Model-based: whatever the desk and the patients do with the waitlist, in any order, offers go
exactly to the waiting courses whose window holds the freed slot, an offer is taken once at most,
by the first to accept it while it is open, and the others keep their place.

A Hypothesis state machine drives scheduling's service layer on PostgreSQL: courses join the
waitlist, slots are freed (a session booked, then cancelled), patients accept offers, the clock
moves past offers' time. A small pure model says who gets an offer and whether an accept must
book or be refused; after every step the service's waitlist and offers are checked against it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import ClassVar, TypeVar

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from clinic_shared.errors import AppError
from clinic_shared.patient_links import mint_offer_link
from clinic_testing.models import run_state_machine
from clinic_testing.postgres import PostgresDatabases
from scheduling.bootstrap import build_app
from scheduling.domain.model import WorkingHours
from scheduling.service_layer import courses, offers, outcomes, staff, waitlist
from scheduling.service_layer.booking import book_session
from scheduling.service_layer.patients import RegisterPatient, register_patient
from scheduling.service_layer.scope import Scope
from scheduling.settings import SchedulingSettings

from .test_course_rules_model import CLOCK_STARTS, TODAY, ZONE, World

T = TypeVar("T")
OFFER_LASTS = timedelta(minutes=120)  # the setting's default
WAITERS = 4  # patients whose 15-minute course waits; freed slots are 30 minutes long
# Days the clinic is open (Monday to Saturday, no holiday in March 2030), from today
OPEN_DAYS = [d for d in range(1, 26) if (TODAY + timedelta(days=d)).weekday() < 6]


@dataclass
class MCourse:
    id: uuid.UUID
    booked: list[date] = field(default_factory=list)  # the days of its sessions
    waiting: bool = False

    def window_holds(self, day: date) -> bool:
        """The course's next window: any day before its first session, else 7-15 days on."""
        if not self.booked:
            return True
        last = max(self.booked)
        return last + timedelta(days=7) <= day <= last + timedelta(days=15)


@dataclass
class MOffer:
    id: uuid.UUID
    course: uuid.UUID
    slot: int  # which freed slot
    expires_at: datetime
    accepted: bool = False


@dataclass
class MSlot:
    starts_at: datetime
    taken: bool = False


class WaitlistRules(RuleBasedStateMachine):
    world: ClassVar[World]

    def __init__(self) -> None:
        super().__init__()
        self.world.run(self.world.reset)
        self.now = CLOCK_STARTS
        self.courses: list[MCourse] = []
        self.slots: list[MSlot] = []
        self.offers: list[MOffer] = []
        self.practitioner = uuid.UUID(int=0)
        self.rooms: list[uuid.UUID] = []
        self.key = self.world.runtime.settings.patient_link_key.get_secret_value()

    def _run(self, work: Callable[[Scope], Awaitable[T]]) -> T:
        return self.world.run(lambda: self.world.in_scope(self.now, work))

    async def _patient(self, scope: Scope, name: str) -> uuid.UUID:
        cmd = RegisterPatient(
            first_name=name,
            last_name="Model",
            phone=None,
            email=f"{name.lower()}@example.com",
            language="en",
            preferred_channel="email",
            consent_sms=False,
            consent_email=True,
        )
        return (await register_patient(scope, cmd, country="FR")).id

    async def _course(self, scope: Scope, patient: uuid.UUID, treatment: str) -> uuid.UUID:
        opened = await courses.open_course(
            scope,
            patient_id=patient,
            treatment_code=treatment,
            practitioner_id=self.practitioner,
            sessions_planned=6,
            by="desk-1",
        )
        return opened.course.id

    @initialize(
        first_days=st.lists(
            st.sampled_from([None, *OPEN_DAYS[:8]]), min_size=WAITERS, max_size=WAITERS
        ),
        joined=st.lists(st.booleans(), min_size=WAITERS, max_size=WAITERS),
    )
    def open_the_clinic(self, first_days: list[int | None], joined: list[bool]) -> None:
        async def setup(scope: Scope) -> None:
            doctor = await staff.add_practitioner(scope, "Dr Dubois", None)
            week = [WorkingHours(d, time(9), time(18)) for d in range(6)]
            await staff.set_hours(scope, doctor.id, week)
            self.practitioner = doctor.id
            self.rooms = [(await staff.add_room(scope, n)).id for n in ("Room 1", "Room 2")]
            for n in range(WAITERS):
                patient = await self._patient(scope, f"W{n}")
                self.courses.append(MCourse(await self._course(scope, patient, "cellulite-arms")))

        self._run(setup)
        for n, (course, first) in enumerate(zip(self.courses, first_days, strict=True)):
            if first is not None:  # from 17:00, when no slot is freed, 15 minutes apart
                day = TODAY + timedelta(days=first)
                at = datetime.combine(day, time(17, 15 * n), tzinfo=ZONE)
                self._run(
                    lambda scope, c=course.id, at=at: book_session(
                        scope, course_id=c, starts_at=at, room_id=self.rooms[1]
                    )
                )
                course.booked.append(day)
        for which, joins in enumerate(joined):
            if joins:
                self.join(which)

    @rule(which=st.integers(0, WAITERS - 1))
    def join(self, which: int) -> None:
        course = self.courses[which]
        self._run(lambda scope: waitlist.join(scope, course.id))
        course.waiting = True

    @rule(day=st.sampled_from(OPEN_DAYS), hour=st.integers(9, 15), room=st.integers(0, 1))
    def free_a_slot(self, day: int, hour: int, room: int) -> None:
        """A new patient's session booked, then cancelled: its slot is offered."""
        starts_at = datetime.combine(TODAY + timedelta(days=day), time(hour), tzinfo=ZONE)
        if any(s.taken and s.starts_at == starts_at for s in self.slots):
            return  # the practitioner is busy then
        name = f"H{len(self.slots)}"

        async def open_one(scope: Scope) -> uuid.UUID:
            patient = await self._patient(scope, name)
            return await self._course(scope, patient, "cellulite-thighs")

        course = self._run(open_one)
        held = self._run(
            lambda scope: book_session(
                scope, course_id=course, starts_at=starts_at, room_id=self.rooms[room]
            )
        ).id
        self._run(lambda scope: outcomes.cancel(scope, held, None))
        index = len(self.slots)
        self.slots.append(MSlot(starts_at))
        expires = min(self.now + OFFER_LASTS, starts_at)
        for course in self.courses:
            if course.waiting and course.window_holds(starts_at.astimezone(ZONE).date()):
                self.offers.append(MOffer(uuid.UUID(int=0), course.id, index, expires))
        self._match_offer_ids(index)

    def _match_offer_ids(self, slot: int) -> None:
        """The service's ids of the slot's offers, by course (the model decided who got one)."""
        listed = self._run(waitlist.listing)
        starts_at = self.slots[slot].starts_at
        found = {
            w.entry.course_id: o.id
            for w in listed
            for o, _ in w.offers
            if o.slot.starts_at == starts_at and o.offered_at == self.now
        }
        expected = {o.course for o in self.offers if o.slot == slot}
        assert set(found) == expected, "offers went to other courses than the model's"
        for offer in self.offers:
            if offer.slot == slot:
                offer.id = found[offer.course]

    @precondition(lambda self: self.offers)
    @rule(data=st.data())
    def accept(self, data: st.DataObject) -> None:
        open_ones = [o for o in self.offers if not o.accepted and not self.slots[o.slot].taken]
        pool = open_ones if open_ones and data.draw(st.integers(0, 3)) else self.offers
        offer = data.draw(st.sampled_from(pool))
        slot, course = self.slots[offer.slot], self._course_of(offer.course)
        must_book = (
            not offer.accepted and not slot.taken and course.waiting and self.now < offer.expires_at
        )
        token = mint_offer_link(self.key, offer.id)
        try:
            _, booked = self._run(lambda scope: offers.accept(scope, key=self.key, token=token))
        except AppError as exc:
            refusal: str | None = exc.detail
        else:
            refusal = None
        if refusal is not None:
            assert not must_book, f"refused, the model says it is open: {refusal}"
            return
        if offer.accepted:
            assert not booked, "accepting again booked again"
            return
        assert must_book, "booked, the model says it has gone or expired"
        offer.accepted = slot.taken = True
        course.waiting = False
        course.booked.append(slot.starts_at.astimezone(ZONE).date())

    @rule(minutes=st.sampled_from([15, 90, 130]))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    def _course_of(self, course_id: uuid.UUID) -> MCourse:
        return next(c for c in self.courses if c.id == course_id)

    @invariant()
    def the_service_holds_the_models_waitlist(self) -> None:
        if not self.courses:
            return
        listed = self._run(waitlist.listing)
        assert {w.entry.course_id for w in listed} == {c.id for c in self.courses if c.waiting}
        accepted = [o for o in self.offers if o.accepted]
        assert len({o.slot for o in accepted}) == len(accepted), "a slot taken twice"


@pytest.mark.timeout(600)
def test_the_waitlist_keeps_its_rules_whatever_happens(
    postgres_databases: PostgresDatabases,
) -> None:
    with asyncio.Runner() as loop:
        url = loop.run(postgres_databases.fresh("scheduling", "scheduling:migrations"))
        config = SchedulingSettings(database_url=url, run_migrations=False, seed_demo_data=False)
        runtime = build_app(config).state.runtime
        WaitlistRules.world = World(runtime, loop)
        try:
            run_state_machine(WaitlistRules, examples=10, steps=20)
        finally:
            loop.run(runtime.db.dispose())
