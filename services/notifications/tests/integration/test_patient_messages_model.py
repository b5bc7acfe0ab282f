"""Model-based (issue 18): whatever a patient's bookings, moves, cancellations, consent, STOP and
START, the policy's quiet hours and the clock do, what the dispatcher sends keeps the rules.

A Hypothesis state machine drives notifications' service layer on PostgreSQL: scheduling's events
through `EVENT_HANDLERS`, consent through the preferences use case and SMS replies, the policy
through its use case, and the dispatcher on a clock the machine moves. A small pure model keeps
what the patient agreed to, the quiet hours and each session's start; after every dispatch each
message handed to the (recording) channel is checked against it:
- nothing is sent inside quiet hours;
- nothing is sent at or after the start of the session it is about;
- nothing goes by a channel the patient has not agreed to;
- at most one confirmation per action and channel.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any, ClassVar, TypeVar

import pytest
import sqlalchemy as sa
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from clinic_shared.contracts.events import (
    Action,
    PatientRegistered,
    SessionBooked,
    SessionCancelled,
    SessionRescheduled,
)
from clinic_shared.runtime import ServiceRuntime
from clinic_testing.models import run_state_machine
from clinic_testing.postgres import PostgresDatabases
from notifications.adapters.orm import messages, metadata
from notifications.bootstrap import build_app
from notifications.domain.errors import StoppedBySms
from notifications.domain.policy import Policy, QuietWindow, ReminderRule
from notifications.domain.timing import wall_time
from notifications.entrypoints.workers import build_dispatcher
from notifications.service_layer.dispatch import Dispatcher
from notifications.service_layer.handlers import EVENT_HANDLERS
from notifications.service_layer.policy import replace_policy
from notifications.service_layer.preferences import Preferences, change_preferences
from notifications.service_layer.replies import InboundSms, handle_reply
from notifications.service_layer.scope import Scope, open_scope
from notifications.settings import NotificationsSettings

from .dispatching import Recorder

T = TypeVar("T")
PHONE = "+33612345678"
CLOCK_STARTS = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # a Monday, 09:00 in Paris
# quiet hours in clinic time, from start (included) to end; past midnight when end < start
Window = tuple[time, time]
QUIET_HOURS: list[tuple[Window, ...]] = [
    ((time(20, 0), time(8, 0)),),  # the default
    (),
    ((time(12, 0), time(14, 0)), (time(21, 0), time(7, 30))),
    ((time(18, 0), time(10, 0)),),
]
REMINDERS = [
    (ReminderRule(48, "email"), ReminderRule(24, "sms")),  # the default
    (ReminderRule(24, "sms"),),
    (ReminderRule(2, "sms"), ReminderRule(26, "email")),
]
# where the clock may stop (clinic time): on either side of the quiet hours' edges, and inside
EDGES = ["02:00", "07:29", "07:30", "08:00", "09:00", "09:59", "10:00", "11:59", "12:00"]
EDGES += ["13:59", "14:00", "17:59", "18:00", "19:59", "20:00", "21:00"]
TIMES_OF_DAY = [time.fromisoformat(at) for at in EDGES]


@dataclass
class World:
    """The notifications service the machine drives: its runtime, a recording channel for both
    ways out and a dispatcher that sends through it."""

    runtime: ServiceRuntime
    recorder: Recorder
    dispatcher: Dispatcher
    loop: asyncio.Runner
    zone: Any

    def run(self, work: Callable[[], Awaitable[T]]) -> T:
        return self.loop.run(_coroutine(work))

    async def reset(self) -> None:
        """Every table empty, nothing recorded: each example starts from nothing (DELETE, as
        the tables hold a few rows: far quicker than TRUNCATE)."""
        async with self.runtime.db.session() as session:
            for table in reversed(metadata.sorted_tables):
                await session.execute(sa.delete(table))
            await session.commit()
        self.recorder.sent.clear()

    async def in_scope(self, now: datetime, work: Callable[[Scope], Awaitable[T]]) -> T:
        """Run `work` in one unit of work at `now`, and commit it."""
        async with open_scope(self.runtime, now=now) as scope:
            result = await work(scope)
            await scope.uow.commit()
            return result

    async def next_due(self) -> datetime | None:
        async with self.runtime.db.session() as session:
            statement = sa.select(sa.func.min(messages.c.due_at))
            due: datetime | None = await session.scalar(
                statement.where(messages.c.status == "scheduled")
            )
            return due

    async def about(self, ids: list[str]) -> dict[str, Any]:
        """The rows of the messages with these ids."""
        async with self.runtime.db.session() as session:
            rows = await session.execute(
                sa.select(messages).where(messages.c.id.in_([uuid.UUID(i) for i in ids]))
            )
            return {str(r.id): r for r in rows}


async def _coroutine(work: Callable[[], Awaitable[T]]) -> T:
    return await work()


@dataclass
class Booked:
    """A session as the model knows it."""

    course_id: uuid.UUID
    starts_at: datetime
    sequence: int
    planned: int
    cancelled: bool = False


@dataclass
class Model:
    """What the rules depend on: consent, the number's STOP, quiet hours, each session's start."""

    consent: dict[str, bool] = field(default_factory=lambda: {"sms": True, "email": True})
    number_stopped: bool = False  # the number's last STOP or START was a STOP
    sms_taken_by_stop: bool = False  # what a START gives back
    quiet_hours: tuple[Window, ...] = QUIET_HOURS[0]
    sessions: dict[uuid.UUID, Booked] = field(default_factory=dict)
    confirmations_sent: Counter[tuple[uuid.UUID, str]] = field(default_factory=Counter)

    def quiet_at(self, now: datetime, zone: Any) -> bool:
        moment = now.astimezone(zone).time()
        return any(
            start <= moment < end if start < end else not end <= moment < start
            for start, end in self.quiet_hours
        )


class PatientMessages(RuleBasedStateMachine):
    world: ClassVar[World]

    def __init__(self) -> None:
        super().__init__()
        self.world.run(self.world.reset)
        self.model = Model()
        self.now = CLOCK_STARTS
        self.patient_id = uuid.uuid4()
        self.replies = 0
        self.zone = self.world.zone

    # -- steps -------------------------------------------------------------------------------

    @initialize(sms=st.booleans(), email=st.booleans())
    def register(self, sms: bool, email: bool) -> None:
        self.model.consent = {"sms": sms, "email": email}
        self._handle(
            PatientRegistered(
                patient_id=self.patient_id,
                first_name="Amelia",
                last_name="Hart",
                phone=PHONE,
                email="amelia@example.com",
                consent_sms=sms,
                consent_email=email,
            )
        )

    @rule(days=st.integers(1, 20), hour=st.integers(8, 19), minute=st.sampled_from([0, 30]))
    def book(self, days: int, hour: int, minute: int) -> None:
        self._book_course(1, self._start(days, hour, minute), timedelta(0))

    @rule(
        count=st.integers(2, 8),
        days=st.integers(1, 10),
        hour=st.integers(8, 19),
        every=st.integers(7, 10),
    )
    def book_plan(self, count: int, days: int, hour: int, every: int) -> None:
        self._book_course(count, self._start(days, hour, 0), timedelta(days=every))

    @precondition(lambda self: bool(self._upcoming()))
    @rule(data=st.data(), days=st.integers(1, 20), hour=st.integers(8, 19))
    def move(self, data: st.DataObject, days: int, hour: int) -> None:
        session_id = data.draw(st.sampled_from(self._upcoming()))
        booked = self.model.sessions[session_id]
        previous, booked.starts_at = booked.starts_at, self._start(days, hour, 0)
        facts = self._facts(session_id, booked, Action(id=uuid.uuid4(), at=self.now, sessions=1))
        self._handle(SessionRescheduled(**facts, previous_starts_at=previous))

    @precondition(lambda self: bool(self._upcoming()))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        session_id = data.draw(st.sampled_from(self._upcoming()))
        booked = self.model.sessions[session_id]
        booked.cancelled = True
        action = Action(id=uuid.uuid4(), at=self.now, sessions=1)
        self._handle(SessionCancelled(**self._facts(session_id, booked, action)))

    @rule(channel=st.sampled_from(["sms", "email"]), granted=st.booleans())
    def staff_change_consent(self, channel: str, granted: bool) -> None:
        wanted = self.model.consent | {channel: granted}
        preferences = Preferences("sms", "en", wanted["sms"], wanted["email"])

        async def change(scope: Scope) -> bool:
            try:
                await change_preferences(scope, self.patient_id, preferences, by="staff-1")
            except StoppedBySms:
                return False
            return True

        done = self.world.run(lambda: self.world.in_scope(self.now, change))
        refused = channel == "sms" and granted and not self.model.consent["sms"]
        refused = refused and self.model.number_stopped
        assert done is not refused
        if done:
            if channel == "sms" and self.model.consent["sms"] != granted:
                self.model.sms_taken_by_stop = False
            self.model.consent = wanted
        self._check_consent()

    @rule(body=st.sampled_from(["STOP", "START"]))
    def reply(self, body: str) -> None:
        self.replies += 1
        sms = InboundSms(sid=f"SM{self.patient_id.hex[:8]}{self.replies}", sender=PHONE, body=body)
        self.world.run(lambda: self.world.in_scope(self.now, lambda s: handle_reply(s, sms)))
        model = self.model
        if body == "STOP":
            model.number_stopped = True
            model.sms_taken_by_stop = model.sms_taken_by_stop or model.consent["sms"]
            model.consent["sms"] = False
        else:
            model.number_stopped = False
            if model.sms_taken_by_stop:
                model.consent["sms"], model.sms_taken_by_stop = True, False
        self._check_consent()

    @rule(quiet=st.sampled_from(QUIET_HOURS), reminders=st.sampled_from(REMINDERS))
    def change_policy(self, quiet: tuple[Window, ...], reminders: Any) -> None:
        windows = tuple(QuietWindow(start, end) for start, end in quiet)
        policy = Policy(reminders=reminders, quiet_hours=windows, aftercare_delay_minutes=120)
        self.world.run(lambda: self.world.in_scope(self.now, lambda s: replace_policy(s, policy)))
        self.model.quiet_hours = quiet

    @rule(days=st.integers(0, 3), at=st.sampled_from(TIMES_OF_DAY))
    def advance_clock(self, days: int, at: time) -> None:
        """Time passes with no dispatcher running (downtime) until `at`, `days` later."""
        wall = wall_time(self.now, self.zone)
        then = datetime.combine(wall.date() + timedelta(days=days), at)
        if then <= wall:
            then += timedelta(days=1)
        self.now = then.replace(tzinfo=self.zone).astimezone(UTC)

    @rule()
    def dispatch(self) -> None:
        """A dispatcher's round now (after the clock moved: the catch-up after downtime)."""
        self._dispatch()

    @rule()
    def dispatch_when_next_due(self) -> None:
        """The clock moves to when the next message is due, and a dispatcher's round runs."""
        due = self.world.run(self.world.next_due)
        if due is not None and due > self.now:
            self.now = due
        self._dispatch()

    def _dispatch(self) -> None:
        recorder = self.world.recorder
        before = len(recorder.sent)
        self.world.run(lambda: self.world.dispatcher.dispatch_once(now=self.now))
        sent = recorder.sent[before:]
        if not sent:
            return
        assert not self.model.quiet_at(self.now, self.zone), f"sent in quiet hours at {self.now}"
        rows = self.world.run(lambda: self.world.about([o.message_id for o in sent]))
        for outgoing in sent:
            message = rows[outgoing.message_id]
            assert self.model.consent[message.channel], f"{message.kind} without consent"
            if message.session_id is not None:
                starts_at = self.model.sessions[message.session_id].starts_at
                assert self.now < starts_at, f"{message.kind} at {self.now}, after {starts_at}"
            if message.kind == "confirmation":
                key = (message.subject_id, message.channel)
                self.model.confirmations_sent[key] += 1
                assert self.model.confirmations_sent[key] == 1, "a second confirmation"

    # -- helpers -----------------------------------------------------------------------------

    def _handle(self, event: Any) -> None:
        handler = EVENT_HANDLERS[event.TYPE]
        self.world.run(lambda: self.world.in_scope(self.now, lambda s: handler(event, s)))

    def _start(self, days: int, hour: int, minute: int) -> datetime:
        day = wall_time(self.now, self.zone).date() + timedelta(days=days)
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone).astimezone(UTC)

    def _upcoming(self) -> list[uuid.UUID]:
        return [
            session_id
            for session_id, booked in self.model.sessions.items()
            if not booked.cancelled and booked.starts_at > self.now
        ]

    def _book_course(self, count: int, first: datetime, every: timedelta) -> None:
        course_id, action = uuid.uuid4(), Action(id=uuid.uuid4(), at=self.now, sessions=count)
        for number in range(1, count + 1):
            session_id = uuid.uuid4()
            booked = Booked(course_id, first + every * (number - 1), number, count)
            self.model.sessions[session_id] = booked
            self._handle(SessionBooked(**self._facts(session_id, booked, action)))

    def _facts(self, session_id: uuid.UUID, booked: Booked, action: Action) -> dict[str, Any]:
        return {
            "session_id": session_id,
            "course_id": booked.course_id,
            "patient_id": self.patient_id,
            "practitioner_id": uuid.UUID(int=1),
            "room_id": uuid.UUID(int=2),
            "treatment_code": "cellulite-thighs",
            "sequence": booked.sequence,
            "sessions_planned": booked.planned,
            "starts_at": booked.starts_at,
            "ends_at": booked.starts_at + timedelta(minutes=30),
            "action": action,
        }

    def _check_consent(self) -> None:
        """The service's consent is the model's."""

        async def read(scope: Scope) -> Any:
            return await scope.contacts.get(self.patient_id)

        contact = self.world.run(lambda: self.world.in_scope(self.now, read))
        held = {"sms": contact.consent_sms, "email": contact.consent_email}
        assert held == self.model.consent


# A pass takes well under a minute; a failure is shrunk for up to Hypothesis's five minutes.
@pytest.mark.timeout(600)
def test_a_patients_messages_keep_the_rules_whatever_happens(
    postgres_databases: PostgresDatabases,
) -> None:
    with asyncio.Runner() as loop:
        url = loop.run(postgres_databases.fresh("notifications", "notifications:migrations"))
        config = NotificationsSettings(
            database_url=url, dispatch_enabled=False, run_migrations=False, seed_demo_data=False
        )
        recorder = Recorder()
        runtime = build_app(config, channels={"email": recorder, "sms": recorder}).state.runtime
        dispatcher = build_dispatcher(runtime, config, {"email": recorder, "sms": recorder})
        PatientMessages.world = World(runtime, recorder, dispatcher, loop, config.zone)
        try:
            run_state_machine(PatientMessages, examples=12, steps=25)
        finally:
            loop.run(runtime.db.dispose())
