"""The stock page's views of inventory's answers: lots by how soon they expire, and booked
sessions' reservations by day and session. Pure: today is passed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

EXPIRY_WINDOWS = (30, 60, 90)
GONE = frozenset({"recalled", "expired"})


def expiry_groups(lots: list[dict[str, Any]], today: date) -> dict[int, list[dict[str, Any]]]:
    """Lots with vials on hand expiring in the coming 30, 60 and 90 days, each lot in the first
    window it falls in (31 to 60 days is the 60 group), soonest first."""
    groups: dict[int, list[dict[str, Any]]] = {days: [] for days in EXPIRY_WINDOWS}
    for lot in sorted(lots, key=lambda lot: (lot["expires_on"], lot["lot_number"])):
        if lot["status"] in GONE or lot["on_hand"] <= 0:
            continue
        left = (date.fromisoformat(lot["expires_on"]) - today).days
        window = next((days for days in EXPIRY_WINDOWS if left <= days), None)
        if window is not None:
            groups[window].append(lot)
    return groups


@dataclass
class BookedSession:
    session_id: str
    starts_at: str
    lines: list[dict[str, Any]] = field(default_factory=list)

    @property
    def short(self) -> bool:
        return any(line["status"] == "short" for line in self.lines)


@dataclass
class ReservationDay:
    day: str
    sessions: list[BookedSession] = field(default_factory=list)
    held: dict[str, int] = field(default_factory=dict)  # product code: vials reserved
    lacking: dict[str, int] = field(default_factory=dict)  # product code: vials short


def reservation_days(lines: list[dict[str, Any]]) -> list[ReservationDay]:
    """Inventory's reservation lines (in the order sessions start) as days of sessions, with
    each day's vials held and lacking per product."""
    days: dict[str, ReservationDay] = {}
    for line in lines:
        day = days.setdefault(line["session_on"], ReservationDay(line["session_on"]))
        if not day.sessions or day.sessions[-1].session_id != line["session_id"]:
            day.sessions.append(BookedSession(line["session_id"], line["starts_at"]))
        day.sessions[-1].lines.append(line)
        totals = day.lacking if line["status"] == "short" else day.held
        code = line["product_code"]
        totals[code] = totals.get(code, 0) + line["quantity"]
    return list(days.values())
