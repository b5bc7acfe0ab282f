"""Personal data never reaches the logs; ids, timestamps and numbers operators need do."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic_shared.context import message_context
from clinic_shared.logging import JsonFormatter, TextFormatter, redact


def record(msg: str, *args: object, **extra: Any) -> logging.LogRecord:
    logger = logging.getLogger("clinic.test")
    return logger.makeRecord(
        "clinic.test", logging.INFO, __file__, 1, msg, args, None, extra=extra or None
    )


def json_line(msg: str, *args: object, **extra: Any) -> dict[str, Any]:
    line = JsonFormatter().format(record(msg, *args, **extra))
    parsed: dict[str, Any] = json.loads(line)
    return parsed


@pytest.mark.parametrize(
    "phone",
    [
        "+14155552671",
        "+44 20 7946 0958",
        "+33 6 12 34 56 78",
        "020 7946 0958",
        "06 12 34 56 78",
        "415-555-2671",
        "0612345678",
    ],
)
def test_phone_numbers_are_masked(phone: str) -> None:
    assert redact(f"sending reminder to {phone} now") == "sending reminder to [phone] now"


@pytest.mark.parametrize("email", ["ada@example.com", "ada.lovelace+clinic@mail.example.co.uk"])
def test_email_addresses_are_masked(email: str) -> None:
    assert redact(f"mail to {email}.") == "mail to [email]."


@pytest.mark.parametrize(
    "text",
    [
        "patient 00000000-0000-4000-8000-000000000001 registered",
        "event 123e4567-e89b-12d3-a456-426614174000",
        "at 2026-11-26T15:49:51.201744Z",
        "at 2026-11-26T15:49:51.201+00:00",
        "listening on 127.0.0.1:8001",
        "attempts=3",
        "retrying in 0.5 s after 7 attempts",
    ],
)
def test_ids_timestamps_ports_and_counts_are_kept(text: str) -> None:
    assert redact(text) == text


@settings(max_examples=100, deadline=None)
@given(st.uuids())
def test_no_uuid_is_ever_masked(value: object) -> None:
    assert redact(f"id={value}") == f"id={value}"


@settings(max_examples=100, deadline=None)
@given(st.datetimes(timezones=st.just(UTC)))
def test_no_utc_z_or_millisecond_iso_timestamp_is_ever_masked(moment: datetime) -> None:
    zulu = moment.isoformat().replace("+00:00", "Z")
    for text in (zulu, moment.isoformat(timespec="milliseconds")):
        assert redact(text) == text


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 65535), st.integers(0, 1_000_000))
def test_ports_and_counts_are_never_masked(port: int, count: int) -> None:
    text = f"port {port} attempts={count} pending: {count}"
    assert redact(text) == text


@settings(max_examples=100, deadline=None)
@given(
    st.from_regex(r"[1-9][0-9]{0,2}", fullmatch=True),
    st.from_regex(r"[0-9]{7,11}", fullmatch=True),
)
def test_every_e164_number_is_masked(country: str, subscriber: str) -> None:
    number = f"+{country}{subscriber}"
    masked = redact(f"phone {number} given")
    assert masked == "phone [phone] given"


def test_json_log_masks_personal_data_in_message_and_extra_fields() -> None:
    entry = json_line(
        "patient %s registered",
        "ada@example.com",
        phone="+14155552671",
        contact={"email": "ada@example.com", "mobile": "06 12 34 56 78"},
    )
    line = json.dumps(entry)
    assert "ada@example.com" not in line
    assert "4155552671" not in line
    assert "12 34 56 78" not in line
    assert entry["msg"] == "patient [email] registered"
    assert entry["phone"] == "[phone]"
    assert entry["contact"] == {"email": "[email]", "mobile": "[phone]"}


def test_json_log_keeps_ids_ports_and_counts_in_extra_fields() -> None:
    event_id = "00000000-0000-4000-8000-000000000001"
    entry = json_line(
        "published", event_id=event_id, port=8001, attempts=3, at="2026-11-26T15:49:51.201744Z"
    )
    assert entry["event_id"] == event_id
    assert entry["port"] == 8001
    assert entry["attempts"] == 3
    assert entry["at"] == "2026-11-26T15:49:51.201744Z"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "clinic.test"


def test_json_log_carries_the_correlation_and_causation_ids_in_force() -> None:
    with message_context("corr-00000000-0000-4000-8000-000000000001", "cause-42"):
        entry = json_line("handled")
    assert entry["correlation_id"] == "corr-00000000-0000-4000-8000-000000000001"
    assert entry["causation_id"] == "cause-42"


def test_json_log_outside_any_context_has_no_correlation_id() -> None:
    entry = json_line("idle")
    assert "correlation_id" not in entry
    assert "causation_id" not in entry


def test_json_log_exception_traceback_is_redacted_too() -> None:
    rec = record("failed")
    try:
        raise ValueError("bad phone +14155552671")
    except ValueError:
        rec.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(rec))
    assert "ValueError: bad phone [phone]" in entry["exc"]


def test_text_log_masks_and_prefixes_the_correlation_id() -> None:
    with message_context("abcdef0123456789", None):
        line = TextFormatter().format(record("sms to %s", "+14155552671", email="a@b.example"))
    when, rest = line[:19], line[20:]
    assert datetime.strptime(when, "%Y-%m-%d %H:%M:%S")  # local time first, to the second
    assert rest.startswith("INFO    clinic.test: [abcdef01] sms to [phone]")
    assert "email=[email]" in line


def test_datetime_extra_fields_are_logged_unmasked() -> None:
    moment = datetime(2026, 11, 26, 15, 49, 51, 201744, tzinfo=UTC)
    entry = json_line(
        "session booked",
        starts_at=moment,  # json.dumps(default=str): "2026-11-26 15:49:51.201744+00:00"
        iso=moment.isoformat(),  # "2026-11-26T15:49:51.201744+00:00"
        day=moment.date().isoformat(),  # "2026-11-26"
    )
    assert entry["starts_at"] == str(moment)
    assert entry["iso"] == "2026-11-26T15:49:51.201744+00:00"
    assert entry["day"] == "2026-11-26"


@pytest.mark.parametrize("phone", ["(415) 555-2671", "+1 (415) 555-2671"])
def test_us_style_phone_with_parenthesised_area_code_is_masked(phone: str) -> None:
    assert redact(f"call {phone}") == "call [phone]"


def test_no_line_per_http_request_of_a_peer_call_is_logged() -> None:
    """httpx's INFO line shows the URL with its query (a patient search's name, phone or email,
    percent-encoded past the masking): held back at every level a service runs at."""
    from clinic_shared.logging import configure_logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.getLogger("httpx").level
    try:
        configure_logging("DEBUG", "text")
        assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
        assert logging.getLogger("httpx").isEnabledFor(logging.WARNING)
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        logging.getLogger("httpx").setLevel(saved[2])
