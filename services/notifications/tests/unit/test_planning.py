"""Which messages a booking, a move, a cancellation, a completion or a due rebooking calls for."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from notifications.domain.planning import (
    CONFIRMATION_HOLD,
    Booked,
    Confirmation,
    Reach,
    plan_aftercare,
    plan_cancellation,
    plan_confirmation,
    plan_nudge,
    plan_reminders,
)
from notifications.domain.policy import DEFAULT_POLICY
from notifications.domain.timing import wall_time

PARIS = ZoneInfo("Europe/Paris")
BOTH = Reach("+33612345678", "a@example.com", "sms", consent_sms=True, consent_email=True)
STARTS = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # Wednesday 10:00 in Paris


def plan(now: datetime, reach: Reach = BOTH) -> list[tuple[str, str, datetime]]:
    planned = plan_reminders(
        starts_at=STARTS, reach=reach, policy=DEFAULT_POLICY, zone=PARIS, now=now
    )
    return [(p.kind, p.channel, p.scheduled_for) for p in planned]


def confirm(
    held_since: datetime,
    *starts: datetime,
    whole: bool = True,
    moved: bool = False,
    reach: Reach = BOTH,
) -> Confirmation | None:
    sessions = [Booked(uuid.uuid4(), at, n) for n, at in enumerate(starts or (STARTS,), start=1)]
    return plan_confirmation(
        sessions=sessions,
        whole=whole,
        moved=moved,
        held_since=held_since,
        reach=reach,
        policy=DEFAULT_POLICY,
        zone=PARIS,
    )


def test_a_booking_well_ahead_gets_both_reminders() -> None:
    now = STARTS - timedelta(days=7)
    assert plan(now) == [
        ("reminder", "email", STARTS - timedelta(hours=48)),
        ("reminder", "sms", STARTS - timedelta(hours=24)),
    ]


def test_short_notice_skips_the_reminders_already_past() -> None:
    assert [(k, c) for k, c, _ in plan(STARTS - timedelta(hours=30))] == [("reminder", "sms")]
    assert plan(STARTS - timedelta(hours=2)) == []


def test_no_sms_consent_means_no_sms_but_the_email_still_goes() -> None:
    opted_out = Reach(BOTH.phone, BOTH.email, "sms", consent_sms=False, consent_email=True)
    assert [(k, c) for k, c, _ in plan(STARTS - timedelta(days=7), opted_out)] == [
        ("reminder", "email")
    ]
    confirmation = confirm(STARTS - timedelta(days=7), reach=opted_out)
    assert confirmation is not None
    assert confirmation.channels == ("email",)


def test_no_consent_at_all_means_no_message() -> None:
    silent = Reach(BOTH.phone, BOTH.email, "sms", consent_sms=False, consent_email=False)
    assert plan(STARTS - timedelta(days=7), silent) == []
    assert confirm(STARTS - timedelta(days=7), reach=silent) is None


def test_a_whole_booking_is_confirmed_at_once_by_every_consented_channel() -> None:
    now = STARTS - timedelta(days=7)
    course = [STARTS + timedelta(days=7 * n) for n in range(10)]
    confirmation = confirm(now, *course)
    assert confirmation is not None
    assert confirmation.channels == ("sms", "email")
    assert confirmation.scheduled_for == now
    assert [s.starts_at for s in confirmation.sessions] == course
    assert confirmation.expires_at == STARTS


def test_a_move_or_a_booking_not_all_here_waits_for_the_rest() -> None:
    now = STARTS - timedelta(days=7)
    for planned in (confirm(now, moved=True), confirm(now, whole=False)):
        assert planned is not None
        assert planned.scheduled_for == now + CONFIRMATION_HOLD


def test_a_confirmation_waits_for_the_end_of_quiet_hours_and_lists_what_starts_after() -> None:
    night = datetime(2026, 6, 9, 21, 0, tzinfo=UTC)  # 23:00 in Paris
    early = datetime(2026, 6, 10, 5, 30, tzinfo=UTC)  # 07:30 in Paris, before quiet hours end
    confirmation = confirm(night, early, STARTS)
    assert confirmation is not None
    assert wall_time(confirmation.scheduled_for, PARIS) == datetime(2026, 6, 10, 8, 0)
    assert confirmation.deferred_from == night  # what /metrics counts as deferred
    assert [s.starts_at for s in confirmation.sessions] == [STARTS]
    assert confirm(night, early) is None  # the session starts first: nothing to confirm


def test_a_cancellation_goes_by_every_consented_channel_unless_the_session_came_first() -> None:
    now = STARTS - timedelta(days=2)
    planned = plan_cancellation(
        starts_at=STARTS, reach=BOTH, policy=DEFAULT_POLICY, zone=PARIS, now=now
    )
    assert [(p.kind, p.channel, p.scheduled_for, p.expires_at) for p in planned] == [
        ("cancellation", "sms", now, STARTS),
        ("cancellation", "email", now, STARTS),
    ]
    assert [p.deferred_from for p in planned] == [None, None]  # in the day: not deferred
    night = datetime(2026, 6, 9, 21, 0, tzinfo=UTC)
    early = datetime(2026, 6, 10, 5, 30, tzinfo=UTC)
    assert (
        plan_cancellation(starts_at=early, reach=BOTH, policy=DEFAULT_POLICY, zone=PARIS, now=night)
        == []
    )


@given(st.integers(0, 24 * 60 * 5), st.integers(0, 23 * 60), st.booleans(), st.booleans())
def test_nothing_falls_before_booking_after_the_start_or_in_quiet_hours(
    minutes_ahead: int, start_minute: int, whole: bool, moved: bool
) -> None:
    starts_at = datetime(2026, 3, 27, tzinfo=PARIS) + timedelta(minutes=start_minute)
    now = starts_at.astimezone(UTC) - timedelta(minutes=minutes_ahead)
    planned = plan_reminders(
        starts_at=starts_at, reach=BOTH, policy=DEFAULT_POLICY, zone=PARIS, now=now
    )
    planned += plan_cancellation(
        starts_at=starts_at, reach=BOTH, policy=DEFAULT_POLICY, zone=PARIS, now=now
    )
    confirmation = confirm(now, starts_at, whole=whole, moved=moved)
    for message in [*planned, *([confirmation] if confirmation else [])]:
        # deferred exactly when quiet hours moved it later than it was ready
        assert message.deferred_from is None or message.deferred_from < message.scheduled_for
        if message.deferred_from is not None:
            assert DEFAULT_POLICY.quiet_hours[0].contains(
                wall_time(message.deferred_from, PARIS).time()
            )
    times = [m.scheduled_for for m in planned]
    times += [confirmation.scheduled_for] if confirmation else []
    for at in times:
        assert now <= at < starts_at
        assert not DEFAULT_POLICY.quiet_hours[0].contains(wall_time(at, PARIS).time())


def test_aftercare_waits_for_the_end_of_quiet_hours() -> None:
    completed = datetime(2026, 6, 10, 17, 30, tzinfo=UTC)  # 19:30 in Paris; +2 h is 21:30
    planned = plan_aftercare(
        starts_at=STARTS, reach=BOTH, policy=DEFAULT_POLICY, zone=PARIS, now=completed
    )
    assert planned is not None
    assert wall_time(planned.scheduled_for, PARIS) == datetime(2026, 6, 11, 8, 0)
    assert planned.deferred_from == completed + timedelta(hours=2)


def test_aftercare_goes_within_two_days_of_the_session_and_never_after() -> None:
    recorded_next_day = STARTS + timedelta(days=1)
    recorded_late = STARTS + timedelta(days=3)

    in_time = plan_aftercare(
        starts_at=STARTS, reach=BOTH, policy=DEFAULT_POLICY, zone=PARIS, now=recorded_next_day
    )
    too_late = plan_aftercare(
        starts_at=STARTS, reach=BOTH, policy=DEFAULT_POLICY, zone=PARIS, now=recorded_late
    )

    assert in_time is not None
    assert in_time.expires_at == STARTS + timedelta(days=2)
    assert too_late is None


def test_a_nudge_goes_now_and_expires_when_the_window_closes() -> None:
    now = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
    planned = plan_nudge(
        next_sequence=4,
        window_closes_on=date(2026, 6, 12),
        reach=BOTH,
        policy=DEFAULT_POLICY,
        zone=PARIS,
        now=now,
    )
    assert planned is not None
    assert (planned.scheduled_for, planned.offset_minutes, planned.deferred_from) == (now, 4, None)
    assert planned.expires_at is not None
    assert wall_time(planned.expires_at, PARIS) == datetime(2026, 6, 12, 23, 59)
