"""The system tier's log audit: what it flags in a log line, and what it leaves alone."""

from __future__ import annotations

import logging

import pytest

from clinic_testing.log_privacy import contact_in, raw_line


def _record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "notifications", "msg": message, "args": args})
    record.__dict__.update(extra)
    return record


@pytest.mark.parametrize(
    ("message", "args", "extra", "found"),
    [
        ("sending to %s", ("+44 7911 123456",), {}, "+44 7911 123456"),
        ("message failed", (), {"to": "amelia@example.com"}, "amelia@example.com"),
        ("reply from %s", ("0612345678",), {}, "0612345678"),
    ],
)
def test_a_contact_in_the_message_or_its_fields_is_found_before_masking(
    message: str, args: tuple[object, ...], extra: dict[str, object], found: str
) -> None:
    assert contact_in(raw_line(_record(message, *args, **extra))) == found


def test_ids_times_and_counts_are_not_taken_for_contacts() -> None:
    line = raw_line(
        _record(
            "event handled in %.3f s at %s",
            0.123456789,
            "2026-11-26T18:47:19.123+00:00",
            event_id="3f2c1a90-1234-4567-8901-123456789012",
            peer="127.0.0.1:54321",
            count=1500,
        )
    )
    assert contact_in(line) is None


def test_only_the_addresses_a_test_shows_on_purpose_are_allowed() -> None:
    line = "admin admin@clinic.example demo-admin; patient amelia@example.com"
    assert contact_in(line, frozenset({"admin@clinic.example"})) == "amelia@example.com"
    assert contact_in(line, frozenset({"admin@clinic.example", "amelia@example.com"})) is None


def test_a_cookies_lifetime_in_a_logged_header_is_no_contact() -> None:
    header = "set-cookie: clinic_device=abc; HttpOnly; Max-Age=31536000; Path=/"
    assert contact_in(header) is None
    assert contact_in("phone=31536000") == "31536000"  # the same digits elsewhere still count


@pytest.mark.parametrize(
    ("url", "found"),
    [
        ("/v1/patients?q=amelia%40example.com&limit=10", "amelia@example.com"),
        ("/v1/patients?limit=21&q=%2B447911123456", "+447911123456"),
        ("/v1/patients?q=06+12+34+56+78", "06 12 34 56 78"),
    ],
)
def test_a_contact_percent_encoded_in_a_logged_url_is_found(url: str, found: str) -> None:
    line = raw_line(
        _record('HTTP Request: GET %s "HTTP/1.1 200 OK"', f"http://127.0.0.1:8001{url}")
    )
    assert contact_in(line) == found
