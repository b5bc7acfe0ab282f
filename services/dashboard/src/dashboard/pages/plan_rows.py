"""The date rows of a course plan: shown in clinic time, read back, refusals on their row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dashboard.clients import ServiceProblem
from dashboard.i18n import _
from dashboard.pages.wording import date_refusal

LOCAL = "%Y-%m-%dT%H:%M"


@dataclass
class Row:
    sequence: int
    starts_at: str
    room_id: str
    error: str = ""


class RowError(Exception):
    def __init__(self, index: int, reason: str) -> None:
        super().__init__(reason)
        self.index = index
        self.reason = reason


def proposed(plan: list[dict[str, Any]], zone: ZoneInfo) -> list[Row]:
    return [
        Row(
            index + 1,
            datetime.fromisoformat(p["starts_at"]).astimezone(zone).strftime(LOCAL),
            str(p["room_id"]),
        )
        for index, p in enumerate(plan)
    ]


def submitted(starts: list[Any], rooms: list[Any]) -> list[Row]:
    return [
        Row(index + 1, str(start), str(room))
        for index, (start, room) in enumerate(zip(starts, rooms, strict=False))
    ]


def body(rows: list[Row], zone: ZoneInfo) -> list[dict[str, str]]:
    """The book-plan body; RowError for a row whose date cannot be read."""
    sessions = []
    for index, row in enumerate(rows):
        try:
            starts = datetime.strptime(row.starts_at, LOCAL).replace(tzinfo=zone)
        except ValueError:
            raise RowError(index, _("Enter a date and a time, e.g. 2026-12-01 10:00.")) from None
        sessions.append({"starts_at": starts.isoformat(), "room_id": row.room_id})
    return sessions


def mark(rows: list[Row], exc: ServiceProblem | RowError) -> str | None:
    """Put the refusal beside its row; the words when no row is named."""
    index: object = exc.index if isinstance(exc, RowError) else exc.body.get("index")
    reason = exc.reason if isinstance(exc, RowError) else date_refusal(exc)
    if isinstance(index, int) and 0 <= index < len(rows):
        rows[index].error = reason
        return None
    return reason
