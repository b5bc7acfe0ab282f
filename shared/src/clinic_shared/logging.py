"""JSON logs with the correlation id, and a last-line filter that masks phone numbers and emails."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

from clinic_shared.context import causation_id_var, correlation_id_var

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# International or long local numbers: 8+ digits with separators, optionally after '+' or '('.
PHONE_RE = re.compile(
    r"(?<![\w.:+-])"  # not inside a word, number, time or address
    r"(?!\d{4}-\d\d-\d\d(?!\d))"  # not an ISO date (alone or with a time)
    r"(?!\d{1,3}(?:\.\d{1,3}){3}(?!\d))"  # not an IPv4 address
    r"(?!\d+\.\d+(?![\s().-]{0,2}\d))"  # not a decimal number
    r"\+?\(?\d(?:[\s().-]{0,2}\d){7,14}(?![\w-])"
)

# Libraries whose debug lines would carry message bodies or SQL parameters, and httpx, whose
# line per request shows the URL with its query: a patient search's name, phone or email,
# percent-encoded past the masking (and a line per peer call in `make run`'s terminal).
THIRD_PARTY_LEVELS = {
    "aiormq": logging.WARNING,
    "aio_pika": logging.WARNING,
    "httpx": logging.WARNING,
}

_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_base_factory = logging.getLogRecordFactory()


def _record_with_context(*args: Any, **kwargs: Any) -> logging.LogRecord:
    # Stamp the ids when the record is made: handlers may format it later, out of this context.
    record = _base_factory(*args, **kwargs)
    if (corr := correlation_id_var.get()) is not None:
        record.correlation_id = corr
    if (cause := causation_id_var.get()) is not None:
        record.causation_id = cause
    if (span := trace.get_current_span().get_span_context()).is_valid:  # tracing is on
        record.trace_id = format(span.trace_id, "032x")
    return record


logging.setLogRecordFactory(_record_with_context)


def redact(text: str) -> str:
    """Mask anything that looks like an email address or a phone number."""
    return PHONE_RE.sub("[phone]", EMAIL_RE.sub("[email]", text))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_") and key != "color_message":
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, default=str))


_TEXT_HIDDEN = {"color_message", "correlation_id", "causation_id", "trace_id"}


class TextFormatter(logging.Formatter):
    """One line per record for a person at a terminal (`make run`): local time to the second,
    level, logger, the correlation id's first 8 characters, message, extras."""

    def format(self, record: logging.LogRecord) -> str:
        corr = getattr(record, "correlation_id", None)
        prefix = f"[{corr[:8]}] " if corr else ""
        line = f"{record.levelname:<7} {record.name}: {prefix}{record.getMessage()}"
        extras = [
            f"{k}={v}"
            for k, v in vars(record).items()
            if k not in _STANDARD_ATTRS | _TEXT_HIDDEN and not k.startswith("_")
        ]
        if extras:
            line += " (" + " ".join(extras) + ")"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return f"{self.formatTime(record, '%Y-%m-%d %H:%M:%S')} {redact(line)}"


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Send every log record to stderr through the redacting formatter."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    for library, library_level in THIRD_PARTY_LEVELS.items():
        logging.getLogger(library).setLevel(library_level)
