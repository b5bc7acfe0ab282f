"""The demo clinic's scheduling data, seeded once by `make run`.

The base: two practitioners, two rooms, Amelia Hart with a course booked from tomorrow and
Chloé Martin with none, which the tests build on.

The living clinic, on top of it when `SCHEDULING_SEED_LIVING_CLINIC` is on, as `make run` sets
it: a clinic in motion, dated relative to today. It adds a third practitioner and two more rooms,
so that someone works every day of the week; 38 more patients; and their courses at every stage:
finished, under way (their past sessions completed, one missed), starting this week, abandoned,
and none yet. Whatever the weekday and the hour `make run` first starts at, today and this week
have sessions.

Everything goes through the service layer, as staff would do it, on a clock set back to when
each thing happened: a course under way was opened and booked before its first session, and
each past session completed after it started. So every rule holds of the demo's data (intervals,
no one in two places, hours, public holidays), and the other services learn of it from the
same events: inventory reserves and consumes the vials, notifications plans the messages (those
of sessions already past expire unsent).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clinic_shared.contracts.events import ProductUsed
from clinic_shared.db import utcnow
from clinic_shared.outbox import UnitOfWork
from clinic_shared.runtime import Seeder
from scheduling.adapters.holidays import public_holidays
from scheduling.domain.audit import Actor
from scheduling.domain.lots import LotVerdict
from scheduling.domain.model import WorkingHours
from scheduling.service_layer import booking, closures, courses, outcomes
from scheduling.service_layer.patients import RegisterPatient, register_patient
from scheduling.service_layer.scope import Clinic, Scope
from scheduling.settings import SchedulingSettings

AMELIA = uuid.UUID("00000000-0000-4000-8000-000000000001")
CHLOE = uuid.UUID("00000000-0000-4000-8000-000000000002")
DR_DUBOIS = uuid.UUID("00000000-0000-4000-8000-0000000000a1")
NURSE_PATEL = uuid.UUID("00000000-0000-4000-8000-0000000000a2")
ROOM_1 = uuid.UUID("00000000-0000-4000-8000-0000000000b1")
ROOM_2 = uuid.UUID("00000000-0000-4000-8000-0000000000b2")
ROOMS = {ROOM_1: "Room 1", ROOM_2: "Room 2"}
DEMO_SEED = Actor(subject="demo-seed", role="system")
WEEKDAYS = [WorkingHours(day, time(9), time(18)) for day in range(5)]

DEMO_PATIENTS = (
    RegisterPatient(
        patient_id=AMELIA,
        first_name="Amelia",
        last_name="Hart",
        phone="+447911123456",
        email="amelia.hart@example.com",
        language="en",
        preferred_channel="sms",
        consent_sms=True,
        consent_email=True,
    ),
    RegisterPatient(
        patient_id=CHLOE,
        first_name="Chloé",
        last_name="Martin",
        phone=None,
        email="chloe.martin@example.com",
        language="fr",
        preferred_channel="email",
        consent_sms=False,
        consent_email=True,
    ),
)


def demo_seeder(settings: SchedulingSettings, clock: Callable[[], datetime] = utcnow) -> Seeder:
    async def seed_demo(uow: UnitOfWork) -> None:
        """Register the demo staff, rooms and patients, and book Amelia's course; then the living
        clinic's, when it is asked for; once."""
        clinic = Clinic(zone=settings.zone, now=clock(), country=settings.country)
        scope = Scope(uow, clinic, DEMO_SEED)
        if await scope.patients.exists(AMELIA):
            return
        for practitioner_id, name in ((DR_DUBOIS, "Dr Claire Dubois"), (NURSE_PATEL, "Sam Patel")):
            await scope.staff.add_practitioner(practitioner_id, name, None, scope.clinic.now)
            await scope.staff.replace_hours(practitioner_id, WEEKDAYS)
        for room_id, name in ROOMS.items():
            await scope.staff.add_room(room_id, name, scope.clinic.now)
        for cmd in DEMO_PATIENTS:
            await register_patient(scope, cmd, country=settings.country)
        opened = await courses.open_course(
            scope,
            patient_id=AMELIA,
            treatment_code="cellulite-thighs",
            practitioner_id=DR_DUBOIS,
            sessions_planned=10,
            by="demo seed",
        )
        tomorrow = (scope.clinic.now + timedelta(days=1)).astimezone(settings.zone).date()
        options = courses.PlanOptions(first_day=tomorrow, time_of_day=time(10))
        proposed = await courses.plan(scope, opened.course.id, options)
        starts = [courses.PlannedStart(p.starts_at, p.room_id) for p in proposed]
        await courses.book_plan(scope, opened.course.id, starts)
        if settings.seed_living_clinic:
            await seed_living_clinic(scope)
        await uow.commit()

    return seed_demo


# The living clinic

DR_MOREAU = uuid.UUID("00000000-0000-4000-8000-0000000000a3")
ROOM_3 = uuid.UUID("00000000-0000-4000-8000-0000000000b3")
CONSULTATION = uuid.UUID("00000000-0000-4000-8000-0000000000b4")
MORE_ROOMS = {ROOM_3: "Room 3", CONSULTATION: "Consultation room"}

OPENING, CLOSING = time(9), time(19)
# Who works when (Monday is 0): between them, every day of the week, Sundays included.
WEEKS = {
    DR_DUBOIS: (0, 1, 2, 3, 4),
    NURSE_PATEL: (1, 2, 3, 4, 5),
    DR_MOREAU: (0, 2, 3, 5, 6),
}
OWN_ROOM = {DR_DUBOIS: ROOM_1, NURSE_PATEL: ROOM_2, DR_MOREAU: ROOM_3}
# Half hours from 09:00 to 18:00 but 10:00, Amelia Hart's (booked by the base seed in whichever
# room was free): the rooms are each practitioner's own, so nobody meets in one.
SLOTS = [time(9 + i // 2, 30 * (i % 2)) for i in range(19) if i != 2]
TREATMENTS = (
    "cellulite-thighs",
    "cellulite-buttocks",
    "cellulite-abdomen",
    "cellulite-calves",
    "cellulite-arms",
    "cellulite-thighs-intensive",
)
# A patient whose SMS the local outbox refuses, as a carrier refuses a number not in service:
# `make run` gives it to notifications (NOTIFICATIONS_LOCAL_UNDELIVERABLE_NUMBERS), so the
# demo has a failed SMS to show.
UNDELIVERABLE = "+33612345999"

FIRST_NAMES = (
    "Camille", "Léa", "Manon", "Inès", "Sarah", "Julie", "Emma", "Louise", "Clara", "Anaïs",
    "Lucas", "Élodie", "Margaux", "Pauline", "Océane", "Laura", "Marie", "Justine", "Zoé",
    "Charlotte", "Amandine", "Aurélie", "Mathilde", "Noémie", "Hélène", "Sophie", "Lina",
    "Maëlle", "Jade", "Alice", "Olivia", "Grace", "Emily", "Isabel", "Nadia", "Yasmine",
    "Sofia", "Rose",
)  # fmt: skip
LAST_NAMES = (
    "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefèbvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent",
    "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François",
    "Martinez", "Legrand", "Garnier", "Walsh", "Turner", "Hughes", "Carter", "Benali", "Haddad",
    "Rossi", "Nguyen",
)  # fmt: skip


@dataclass(frozen=True)
class Stage:
    """What a course has come to by today: `done` sessions before this week's, `left` after."""

    name: str
    count: int


# 20 under way, 6 finished, 6 starting this week, 2 abandoned, 4 with no course yet.
STAGES = (
    Stage("under way", 20),
    Stage("finished", 6),
    Stage("starting", 6),
    Stage("abandoned", 2),
    Stage("registered", 4),
)


class _NoLotsNamed:
    """The demo completes sessions with the vials reserved for them, naming no lot, so inventory
    is never asked (it may not have started yet); if it were, that would be a mistake here."""

    async def check(self, session_on: date, used: Sequence[ProductUsed]) -> list[LotVerdict]:
        raise AssertionError("the demo names no lots")


class _Calendar:
    """Which practitioner's half hours are taken on which days, and the days the clinic is
    closed for a public holiday."""

    def __init__(self, country: str, today: date) -> None:
        self.taken: set[tuple[uuid.UUID, date, time]] = set()
        self.holidays = public_holidays(
            country, today - timedelta(days=200), today + timedelta(days=200)
        )
        self.holidays.pop(today, None)  # opened by the seed: today always has sessions

    def free(self, practitioner: uuid.UUID, day: date, slot: time) -> bool:
        return (
            day.weekday() in WEEKS[practitioner]
            and day not in self.holidays
            and (practitioner, day, slot) not in self.taken
        )

    def dates(
        self, practitioner: uuid.UUID, first: date, slot: time, count: int, longest: int
    ) -> list[date]:
        """`count` days a week apart from `first`, each moved on past a holiday or a taken slot,
        never further than `longest` days after the one before."""
        found: list[date] = []
        day = first
        while len(found) < count:
            earliest = day
            while not self.free(practitioner, day, slot):
                day += timedelta(days=1)
                if found and (day - found[-1]).days > longest:
                    raise ValueError("no free day inside the interval")  # not with these hours
                if not found and (day - earliest).days > 14:
                    raise ValueError("no free first day")
            found.append(day)
            self.taken.add((practitioner, day, slot))
            day += timedelta(days=7)
        return found


async def seed_living_clinic(scope: Scope) -> None:
    """The living clinic's staff, rooms, patients and courses, added to the base seed's."""
    zone, now, country = scope.clinic.zone, scope.clinic.now, scope.clinic.country
    today = now.astimezone(zone).date()
    await scope.staff.add_practitioner(DR_MOREAU, "Dr Léa Moreau", None, now)
    for practitioner, weekdays in WEEKS.items():
        hours = [WorkingHours(day, OPENING, CLOSING) for day in weekdays]
        await scope.staff.replace_hours(practitioner, hours)
    for room_id, name in MORE_ROOMS.items():
        await scope.staff.add_room(room_id, name, now)
    if public_holidays(country, today, today):
        await closures.set_holiday(scope, today, open=True, by="demo seed", force=False)
    calendar = _Calendar(country, today)
    index = 0
    for stage in STAGES:
        for _ in range(stage.count):
            patient = await _register(scope, index, country)
            if stage.name != "registered":
                await _course(scope, calendar, stage.name, index, patient, now, zone)
            index += 1


async def _register(scope: Scope, index: int, country: str) -> uuid.UUID:
    first, last = FIRST_NAMES[index], LAST_NAMES[index]
    by_sms = index % 3 != 2
    patient_id = uuid.uuid5(uuid.NAMESPACE_URL, f"demo-patient-{index}")
    phone = UNDELIVERABLE if index == 27 else f"+3361234{5000 + index}"
    email = f"{_ascii(first)}.{_ascii(last)}@example.com"
    command = RegisterPatient(
        patient_id=patient_id,
        first_name=first,
        last_name=last,
        phone=phone,
        email=email,
        language="en" if index % 5 == 4 else "fr",
        preferred_channel="sms" if by_sms else "email",
        consent_sms=by_sms,
        consent_email=True,
    )
    await register_patient(scope, command, country=country)
    return patient_id


def _ascii(name: str) -> str:
    plain = name.lower().translate(str.maketrans("éèëêàâäïîôöùûüçñ", "eeeeaaaiioouuucn"))
    return "".join(c for c in plain if c.isalnum())


async def _course(
    scope: Scope,
    calendar: _Calendar,
    stage: str,
    index: int,
    patient: uuid.UUID,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    """One course of `patient` at `stage`, on a weekday and half hour of its own."""
    practitioner = list(WEEKS)[index % 3]
    treatment = await scope.treatment(TREATMENTS[index % len(TREATMENTS)])
    count = treatment.default_sessions
    today = now.astimezone(zone).date()
    # Spread over the week from today, so that today and the next days are all busy.
    weekday_offset = (index // 3) % 7
    slot = SLOTS[(index * 5) % len(SLOTS)]
    before = {"under way": 1 + index % 7, "finished": count + 2 + index % 5,
              "starting": 0, "abandoned": 3}[stage]  # fmt: skip
    first = today + timedelta(days=weekday_offset - 7 * before)
    if stage == "starting" and datetime.combine(first, slot, zone) <= now:
        first += timedelta(days=7)
    days = calendar.dates(practitioner, first, slot, count, treatment.max_interval_days)
    starts = [datetime.combine(day, slot, zone) for day in days]
    opened_at = min(starts[0] - timedelta(days=3), now - timedelta(hours=1))
    booked_by = _at(scope, opened_at)
    opened = await courses.open_course(
        booked_by,
        patient_id=patient,
        treatment_code=treatment.code,
        practitioner_id=practitioner,
        sessions_planned=count,
        by="demo seed",
    )
    course_id = opened.course.id
    action = booked_by.action(len(starts))
    sessions = [
        await booking.book_session(
            booked_by,
            course_id=course_id,
            starts_at=start,
            room_id=OWN_ROOM[practitioner],
            action=action,
        )
        for start in starts
    ]
    if stage == "abandoned":
        for session in sessions[:2]:
            await outcomes.complete(_at(scope, session.ends_at), session.id, [], _NoLotsNamed())
        await courses.abandon(_at(scope, sessions[2].starts_at - timedelta(days=1)), course_id)
        return
    ended = [s for s in sessions if s.ends_at <= now]
    for number, session in enumerate(ended):
        missed = index == 3 and number == len(ended) - 1  # the demo's no-show
        if missed:
            await outcomes.no_show(_at(scope, session.ends_at), session.id)
        else:
            await outcomes.complete(_at(scope, session.ends_at), session.id, [], _NoLotsNamed())


def _at(scope: Scope, moment: datetime) -> Scope:
    """The seed's scope with the clock at `moment`: the same unit of work, another time."""
    clinic = scope.clinic
    return Scope(scope.uow, Clinic(clinic.zone, moment, clinic.horizon, clinic.country), DEMO_SEED)
