"""The system tier's log audit: a test fails when any log line it caused shows a phone number or an
email address, unmasked.

It covers every test under the repo's top-level `tests/` tree (system, faults, fuzz, deploy) and
any test marked `system` or `e2e` (the dashboard's browser journeys over the whole stack):
records of every logger at DEBUG (third-party loggers at the levels services run them at), read
before the formatter's masking, and the `*.log` files the test's services wrote under its
`tmp_path` when they ran as processes (not PostgreSQL's own, see `_service_logs`).

A test whose output shows an address on purpose (`make run` prints the demo staff sign-ins to the
terminal) names those exact addresses with `@pytest.mark.contacts_shown(*addresses)`; any other
address still fails it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote_plus

import pytest

from clinic_shared.logging import _STANDARD_ATTRS, EMAIL_RE, PHONE_RE, THIRD_PARTY_LEVELS

SYSTEM_TIER = "tests"


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(raw_line(record))


def raw_line(record: logging.LogRecord) -> str:
    """The record as a formatter would render it, before any masking."""
    extras = {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS}
    line = f"{record.levelname} {record.name}: {record.getMessage()} {extras}"
    if record.exc_info:
        line += "\n" + logging.Formatter().formatException(record.exc_info)
    return line


def contact_in(text: str, shown: frozenset[str] = frozenset()) -> str | None:
    """The first email address or phone number in `text` not in `shown`, if any: as written,
    or percent-encoded in a URL (`q=amelia%40example.com`, `q=%2B447911123456`)."""
    for read in dict.fromkeys((text, unquote_plus(text))):
        for pattern in (EMAIL_RE, PHONE_RE):
            for found in pattern.finditer(read):
                if found.group(0) not in shown and not _cookie_lifetime(read, found.start()):
                    return found.group(0)
    return None


def _cookie_lifetime(text: str, start: int) -> bool:
    """A cookie's `Max-Age=31536000` (a year, in seconds) in a logged header: eight digits, and
    no contact."""
    return text[max(0, start - 8) : start].lower() == "max-age="


def in_system_tier(item: pytest.Item) -> bool:
    top = Path(str(item.config.rootpath), SYSTEM_TIER)
    marked = any(item.get_closest_marker(name) is not None for name in ("system", "e2e"))
    return marked or top in item.path.parents


@pytest.fixture(autouse=True)
def _no_contact_in_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    if not in_system_tier(request.node):
        yield
        return
    collector = _Collector()
    root = logging.getLogger()
    saved = root.level, {name: logging.getLogger(name).level for name in THIRD_PARTY_LEVELS}
    root.addHandler(collector)
    root.setLevel(logging.DEBUG)
    for name, level in THIRD_PARTY_LEVELS.items():
        logging.getLogger(name).setLevel(level)
    try:
        yield
    finally:
        root.removeHandler(collector)
        root.setLevel(saved[0])
        for name, level in saved[1].items():
            logging.getLogger(name).setLevel(level)
    marker = request.node.get_closest_marker("contacts_shown")
    shown = frozenset(marker.args if marker else ())
    _fail_on_contact(collector.lines + _process_logs(request.node), shown)


def _process_logs(item: pytest.Item) -> list[str]:
    tmp_path = getattr(item, "funcargs", {}).get("tmp_path")
    if not isinstance(tmp_path, Path):
        return []
    return [line for log in _service_logs(tmp_path) for line in log.read_text().splitlines()]


def _service_logs(tmp_path: Path) -> list[Path]:
    """The `*.log` files under `tmp_path`, but PostgreSQL's own server log in the data folder of
    `make run`'s embedded server (beside its `PG_VERSION`): it is read no more than the log of
    the PostgreSQL server the other tests use (its startup line, "compiled by gcc 14.2.1
    20250110", reads as a phone number to the masking pattern)."""
    return [log for log in tmp_path.rglob("*.log") if not (log.parent / "PG_VERSION").exists()]


def _fail_on_contact(lines: list[str], shown: frozenset[str]) -> None:
    for line in lines:
        if (contact := contact_in(line, shown)) is not None:
            pytest.fail(f"a log line shows a contact ({contact!r}): {line[:500]}", pytrace=False)
