"""Which messages a booking, a completion or a due rebooking calls for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from notifications.domain.planning import (
    RESCHEDULE_SETTLE,
    Reach,
    plan_aftercare,
    plan_nudge,
    plan_session_messages,
)
from notifications.domain.policy import DEFAULT_POLICY
from notifications.domain.timing import wall_time

PARIS = ZoneInfo("Europe/Paris")
BOTH = Reach("+33612345678", "a@example.com", "sms", consent_sms=True, consent_email=True)
STARTS = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)  # Wednesday 10:00 in Paris


def plan(
    now: datetime, reach: Reach = BOTH, moved: bool = False
) -> list[tuple[str, str, datetime]]:
    planned = plan_session_messages(
        starts_at=STARTS, reach=reach, policy=DEFAULT_POLICY, zone=PARIS, now=now, moved=moved
    )
    return [(p.kind, p.channel, p.scheduled_for) for p in planned]


def test_a_booking_well_ahead_gets_a_confirmation_and_both_reminders() -> None:
    now = STARTS - timedelta(days=7)
    assert plan(now) == [
        ("confirmation", "sms", now),
        ("reminder", "email", STARTS - timedelta(hours=48)),
        ("reminder", "sms", STARTS - timedelta(hours=24)),
    ]


def test_short_notice_skips_the_reminders_already_past_but_confirms() -> None:
    now = STARTS - timedelta(hours=30)
    assert [(k, c) for k, c, _ in plan(now)] == [("confirmation", "sms"), ("reminder", "sms")]
    assert [k for k, _, _ in plan(STARTS - timedelta(hours=2))] == ["confirmation"]


def test_no_sms_consent_means_no_sms_but_the_email_still_goes() -> None:
    opted_out = Reach(BOTH.phone, BOTH.email, "sms", consent_sms=False, consent_email=True)
    assert [(k, c) for k, c, _ in plan(STARTS - timedelta(days=7), opted_out)] == [
        ("confirmation", "email"),
        ("reminder", "email"),
    ]


def test_no_consent_at_all_means_no_message() -> None:
    silent = Reach(BOTH.phone, BOTH.email, "sms", consent_sms=False, consent_email=False)
    assert plan(STARTS - timedelta(days=7), silent) == []


def test_a_moved_session_confirms_after_a_settling_delay() -> None:
    now = STARTS - timedelta(days=7)
    assert plan(now, moved=True)[0] == ("confirmation", "sms", now + RESCHEDULE_SETTLE)


def test_a_session_already_started_plans_nothing() -> None:
    assert plan(STARTS) == []


@given(st.integers(0, 24 * 60 * 5), st.integers(0, 23 * 60))
def test_reminders_never_fall_before_booking_after_the_start_or_in_quiet_hours(
    minutes_ahead: int, start_minute: int
) -> None:
    starts_at = datetime(2026, 3, 27, tzinfo=PARIS) + timedelta(minutes=start_minute)
    now = starts_at.astimezone(UTC) - timedelta(minutes=minutes_ahead)
    planned = plan_session_messages(
        starts_at=starts_at, reach=BOTH, policy=DEFAULT_POLICY, zone=PARIS, now=now
    )
    for message in planned[1:]:
        assert now <= message.scheduled_for < starts_at
        assert not DEFAULT_POLICY.quiet_hours[0].contains(
            wall_time(message.scheduled_for, PARIS).time()
        )


def test_aftercare_waits_for_the_end_of_quiet_hours() -> None:
    completed = datetime(2026, 6, 10, 17, 30, tzinfo=UTC)  # 19:30 in Paris; +2 h is 21:30
    planned = plan_aftercare(
        starts_at=STARTS, reach=BOTH, policy=DEFAULT_POLICY, zone=PARIS, now=completed
    )
    assert planned is not None
    assert wall_time(planned.scheduled_for, PARIS) == datetime(2026, 6, 11, 8, 0)


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
    assert (planned.scheduled_for, planned.offset_minutes) == (now, 4)
    assert planned.expires_at is not None
    assert wall_time(planned.expires_at, PARIS) == datetime(2026, 6, 12, 23, 59)
