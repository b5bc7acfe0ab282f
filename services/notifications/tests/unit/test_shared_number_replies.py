"""Which message a reply from a shared number answers (issue 18 item 12)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from notifications.domain.replies import NOTHING_SENT, SAME_MINUTE_SENDS, SentSms, replied_to

NOW = datetime(2026, 6, 9, 10, 0, tzinfo=UTC)
MOTHER, DAUGHTER = uuid.uuid4(), uuid.uuid4()


def sent(patient: uuid.UUID, before: timedelta) -> SentSms:
    return SentSms(patient, uuid.uuid4(), NOW - before)


def test_the_last_message_in_the_day_is_the_one_answered() -> None:
    last = sent(DAUGHTER, timedelta(hours=1))
    assert replied_to([sent(MOTHER, timedelta(hours=3)), last], now=NOW) == last


def test_nothing_sent_in_the_last_24_hours_answers_nothing() -> None:
    assert replied_to([], now=NOW) == NOTHING_SENT
    assert replied_to([sent(MOTHER, timedelta(hours=24, seconds=1))], now=NOW) == NOTHING_SENT
    exactly = sent(MOTHER, timedelta(hours=24))
    assert replied_to([exactly], now=NOW) == exactly


def test_two_patients_texted_within_a_minute_make_it_ambiguous() -> None:
    pair = [sent(MOTHER, timedelta(minutes=10, seconds=59)), sent(DAUGHTER, timedelta(minutes=10))]
    assert replied_to(pair, now=NOW) == SAME_MINUTE_SENDS
    apart = [sent(MOTHER, timedelta(minutes=11)), sent(DAUGHTER, timedelta(minutes=10))]
    assert replied_to(apart, now=NOW) == apart[1]


def test_two_messages_to_one_patient_within_a_minute_answer_the_last() -> None:
    reminder, confirmation = sent(MOTHER, timedelta(seconds=30)), sent(MOTHER, timedelta(0))
    earlier = sent(DAUGHTER, timedelta(hours=2))
    assert replied_to([earlier, reminder, confirmation], now=NOW) == confirmation
