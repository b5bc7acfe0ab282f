"""The dispatcher sends each due message once, on time or late, never after the session."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from clinic_shared.contracts.events import SessionBooked
from clinic_testing.helpers import bearer, eventually, running
from notifications.adapters.channels import (
    Delivery,
    Handover,
    Outgoing,
    PermanentSendError,
    TransientSendError,
    no_handover,
)
from notifications.adapters.leases import LeaseRepository

from .dispatching import Recorder, dispatcher, driven_app
from .events import STARTS, T0, Session, envelope, messages, publish

EMAIL_REMINDER = STARTS - timedelta(hours=48)
SMS_REMINDER = STARTS - timedelta(hours=24)


async def book(app, session: Session, **consent) -> None:
    await publish(app, envelope(session.contact(**consent)))
    await publish(app, envelope(SessionBooked(**session.facts())))


async def test_each_message_goes_at_its_time_and_only_once(make_settings) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    session = Session()
    async with running(app) as client:
        await book(app, session)
        sender = dispatcher(app, recorder)
        counts = [
            await sender.dispatch_once(now=T0),
            await sender.dispatch_once(now=T0 + timedelta(minutes=1)),
            await sender.dispatch_once(now=EMAIL_REMINDER - timedelta(seconds=1)),
            await sender.dispatch_once(now=EMAIL_REMINDER),
            await sender.dispatch_once(now=SMS_REMINDER),
            await sender.dispatch_once(now=SMS_REMINDER),
        ]
        found = await messages(client, session_id=session.session_id)
        detail = await client.get(f"/v1/messages/{found[0]['id']}", headers=bearer("admin"))
    assert counts == [2, 0, 0, 1, 1, 0]  # the confirmation by each consented channel
    assert sorted(o.channel for o in recorder.sent[:2]) == ["email", "sms"]
    assert [o.channel for o in recorder.sent[2:]] == ["email", "sms"]
    assert {m["status"] for m in found} == {"sent"}
    assert [a["outcome"] for a in detail.json()["attempts"]] == ["sent"]


async def test_after_downtime_due_reminders_go_late_once_and_past_sessions_expire(
    make_settings,
) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    on_time, too_late = Session(), Session()
    async with running(app) as client:
        await book(app, on_time)
        await book(app, too_late)
        sender = dispatcher(app, recorder)
        back_before = await sender.dispatch_once(now=STARTS - timedelta(hours=1))
        await publish(app, envelope(SessionBooked(**too_late.facts(STARTS + timedelta(days=1)))))
        back_after = await sender.dispatch_once(now=STARTS + timedelta(days=1, minutes=1))
        expired = await messages(client, session_id=too_late.session_id, status="expired")
    assert back_before == 8  # both sessions' confirmations (by SMS and email) and reminders
    assert back_after == 4
    assert len(expired) == 4
    assert len(recorder.sent) == 8


async def test_transient_failures_back_off_and_permanent_ones_fail_at_once(make_settings) -> None:
    recorder = Recorder(TransientSendError("timeout"), TransientSendError("503"))
    app = await driven_app(make_settings, recorder)
    session = Session()
    async with running(app) as client:
        await book(app, session, consent_sms=False)  # one confirmation, by email
        sender = dispatcher(app, recorder)
        tries = [
            await sender.dispatch_once(now=T0),
            await sender.dispatch_once(now=T0 + timedelta(seconds=29)),
            await sender.dispatch_once(now=T0 + timedelta(seconds=30)),
            await sender.dispatch_once(now=T0 + timedelta(seconds=89)),
            await sender.dispatch_once(now=T0 + timedelta(seconds=90)),
        ]
        recorder.failures.append(PermanentSendError("invalid number"))
        failed = await sender.dispatch_once(now=EMAIL_REMINDER)
        confirmation = (await messages(client, kind="confirmation"))[0]
        detail = await client.get(f"/v1/messages/{confirmation['id']}", headers=bearer("admin"))
        reminder = await messages(client, kind="reminder", channel="email")
    assert tries == [1, 0, 1, 0, 1]
    assert [a["outcome"] for a in detail.json()["attempts"]] == ["transient", "transient", "sent"]
    assert detail.json()["status"] == "sent"
    assert failed == 1
    assert [(m["status"], m["attempt_count"]) for m in reminder] == [("failed", 1)]


async def test_consent_withdrawn_before_the_send_cancels_the_message(make_settings) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    session = Session()
    async with running(app) as client:
        await book(app, session)
        sender = dispatcher(app, recorder)
        leased = await sender.lease(now=SMS_REMINDER)  # held by the dispatcher...
        withdrawn = await client.put(  # ...when the patient withdraws SMS at the desk
            f"/v1/patients/{session.patient_id}/preferences",
            json={"preferred_channel": "sms", "language": "en", "consent_sms": False,
                  "consent_email": True},
            headers=bearer("receptionist"),
        )  # fmt: skip
        await sender.deliver(leased, now=SMS_REMINDER)
        sms = await messages(client, patient_id=session.patient_id, channel="sms")
    assert withdrawn.status_code == 200
    assert len(leased) == 4
    assert [m["status"] for m in sms] == ["cancelled", "cancelled"]
    assert [o.channel for o in recorder.sent] == ["email", "email"]


async def test_a_lapsed_lease_of_a_crashed_replica_is_taken_over(make_settings) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    async with running(app) as client:
        await book(app, Session(), consent_sms=False)  # one confirmation, by email
        async with app.state.runtime.db.session() as db, db.begin():
            crashed = await LeaseRepository(db).lease_due(
                now=T0, limit=10, lease_for=timedelta(minutes=2)
            )
        sender = dispatcher(app, recorder)
        during_lease = await sender.dispatch_once(now=T0 + timedelta(minutes=1))
        after_lease = await sender.dispatch_once(now=T0 + timedelta(minutes=2))
        confirmation = await messages(client, kind="confirmation")
    assert (len(crashed), during_lease, after_lease) == (1, 0, 1)
    assert len(recorder.sent) == 1
    assert [(m["status"], m["attempt_count"]) for m in confirmation] == [("sent", 1)]


async def test_the_morning_after_spring_forward_the_sms_says_the_local_time(
    make_settings,
) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    session = Session()
    monday = datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 in Paris, clocks went forward Sunday
    booked_at = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
    async with running(app) as client:
        await publish(app, envelope(session.contact(consent_email=False)))
        await publish(app, envelope(SessionBooked(**session.facts(monday)), booked_at))
        reminder = await messages(client, kind="reminder")
        await dispatcher(app, recorder).dispatch_once(now=datetime(2026, 3, 29, 7, 0, tzinfo=UTC))
    assert [m["scheduled_for"] for m in reminder] == ["2026-03-29T07:00:00Z"]
    texts = [o.text for o in recorder.sent]
    assert any("reminder" in t and "on Monday 30 March at 09:00" in t for t in texts), texts


class HeldChannel(Recorder):
    """A channel on which the messages in `held`, once handed over, wait for the provider's
    answer until `release` is set (`holding` is set once one waits)."""

    def __init__(self) -> None:
        super().__init__()
        self.held: set[str] = set()
        self.holding = asyncio.Event()
        self.release = asyncio.Event()

    async def send(self, outgoing: Outgoing, handed_over: Handover = no_handover) -> Delivery:
        if outgoing.message_id not in self.held:
            return await super().send(outgoing, handed_over)
        delivery = await super().send(outgoing, handed_over)  # the provider has it...
        self.holding.set()
        await self.release.wait()  # ...and is slow to answer
        return delivery


async def test_a_send_is_recorded_as_soon_as_it_returns_not_when_the_round_ends(
    make_settings,
) -> None:
    """A replica killed while a slow send hangs must not resend the ones that already went:
    each is recorded sent the moment the SMTP server or carrier took it."""
    channel = HeldChannel()
    app = await driven_app(make_settings, channel, dispatch_concurrency=4)
    slow, quick = Session(), Session()
    async with running(app) as client:
        await book(app, slow, consent_sms=False)
        await book(app, quick, consent_sms=False)
        sender = dispatcher(app, channel)
        leased = await sender.lease(now=T0)
        slow_ones = await messages(client, session_id=slow.session_id, status="sending")
        channel.held = {m["id"] for m in slow_ones}
        delivering = asyncio.create_task(sender.deliver(leased, now=T0))
        quick_ones = await eventually(
            lambda: messages(client, session_id=quick.session_id, kind="confirmation"),
            until=lambda found: {m["status"] for m in found} == {"sent"},
        )
        slow_meanwhile = await messages(client, session_id=slow.session_id, kind="confirmation")
        channel.release.set()
        await delivering
        slow_after = await messages(client, session_id=slow.session_id, kind="confirmation")
    assert len(leased) == 2
    assert len(quick_ones) == len(slow_ones) == 1
    assert {m["status"] for m in slow_meanwhile} == {"sending"}
    assert {m["status"] for m in slow_after} == {"sent"}
    assert len(channel.sent) == 2


async def test_a_catch_up_in_quiet_hours_waits_for_their_end_and_drops_what_starts_first(
    make_settings,
) -> None:
    recorder = Recorder()
    app = await driven_app(make_settings, recorder)
    later, early = Session(), Session()
    night = datetime(2026, 6, 9, 21, 0, tzinfo=UTC)  # 23:00 in Paris: back after downtime
    morning = datetime(2026, 6, 10, 6, 0, tzinfo=UTC)  # 08:00, quiet hours end
    async with running(app) as client:
        await book(app, later, consent_sms=False)  # 10:00 on 10 June
        await publish(app, envelope(early.contact(consent_sms=False)))
        starts_early = datetime(2026, 6, 10, 5, 30, tzinfo=UTC)  # 07:30, before they end
        await publish(app, envelope(SessionBooked(**early.facts(starts_early))))
        sender = dispatcher(app, recorder)
        at_night = await sender.dispatch_once(now=night)
        held = await messages(client, patient_id=later.patient_id, status="scheduled")
        dropped = await messages(client, patient_id=early.patient_id)
        counted = (await client.get("/metrics")).text
        in_the_morning = await sender.dispatch_once(now=morning)
    assert (at_night, in_the_morning, len(recorder.sent)) == (0, 2, 2)
    assert [m["scheduled_for"] for m in held] == ["2026-06-10T06:00:00Z"] * 2
    deferred = (
        'clinic_messages_deferred_for_quiet_hours{channel="email",kind="%s",status="scheduled"} 1.0'
    )
    for kind in ("confirmation", "reminder"):  # held at send time: counted on /metrics
        assert deferred % kind in counted.splitlines()
    assert {(m["status"], m["last_error"]) for m in dropped} == {
        ("expired", "the session starts before quiet hours end")
    }
