"""A patient's timeline: each session with its messages and the lots it consumed, newest first,
in pages; the messages about no session of theirs close the last page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SESSIONS_A_PAGE = 10


@dataclass
class Entry:
    session: dict[str, Any] | None
    treatment: str = ""
    messages: list[dict[str, Any]] = field(default_factory=list)
    consumptions: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class TimelinePage:
    entries: list[Entry]
    page: int
    more: bool


def _when(message: dict[str, Any]) -> str:
    return str(message.get("sent_at") or message.get("scheduled_for") or "")


def timeline(
    courses: list[dict[str, Any]],
    treatments: dict[str, str],
    messages: list[dict[str, Any]],
    consumptions: list[dict[str, Any]],
    page: int = 1,
) -> TimelinePage:
    """Page `page` (from 1) of the sessions, each with what happened around it."""
    entries = {
        s["id"]: Entry(s, treatments.get(c["treatment_code"], c["treatment_code"]))
        for c in courses
        for s in c["sessions"]
    }
    elsewhere = Entry(None)
    for message in sorted(messages, key=_when):
        entries.get(str(message.get("session_id")), elsewhere).messages.append(message)
    for used in consumptions:
        if used["session_id"] in entries:
            entries[used["session_id"]].consumptions.append(used)
    ordered = sorted(entries.values(), key=lambda e: e.session["starts_at"] if e.session else "")
    ordered.reverse()
    start = (page - 1) * SESSIONS_A_PAGE
    shown = ordered[start : start + SESSIONS_A_PAGE]
    more = len(ordered) > start + SESSIONS_A_PAGE
    if not more and elsewhere.messages and (shown or page == 1):
        shown.append(elsewhere)
    return TimelinePage(shown, page, more)
