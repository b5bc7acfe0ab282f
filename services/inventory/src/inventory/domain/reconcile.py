"""How inventory's copy of a session can differ from scheduling's facts: the kinds of drift."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from inventory.domain.sessions import SessionStatus

DriftKind = Literal[
    "missing",
    "moved",
    "cancelled_still_reserved",
    "completed_still_reserved",
    "stale_kit",
    "renumbered",
]
OWNER_ENDED = {"cancelled": "cancelled", "no_show": "no_show"}


@dataclass(frozen=True)
class Projected:
    """A session as inventory holds it: what it plans for, per product (reserved + short)."""

    starts_at: datetime
    status: SessionStatus
    sequence: int
    planned: Mapping[str, int]


def drift_of(
    projected: Projected | None,
    *,
    owner_status: str,
    owner_starts_at: datetime,
    owner_sequence: int,
    kit: Mapping[str, int],
) -> DriftKind | None:
    """The first way the projection differs from the owner's facts, or None.

    A booked copy of a session the owner ended holds vials for nothing; a booked copy of a
    session the owner still has booked must be at its time and plan for its treatment's kit.
    """
    if projected is None:
        return "missing"
    if projected.status == "booked":
        if owner_status in OWNER_ENDED:
            return "cancelled_still_reserved"
        if owner_status == "completed":
            return "completed_still_reserved"
        if projected.starts_at != owner_starts_at:
            return "moved"
        if _positive(projected.planned) != _positive(kit):
            return "stale_kit"
    if owner_sequence > 0 and projected.sequence != owner_sequence:
        return "renumbered"
    return None


def _positive(quantities: Mapping[str, int]) -> dict[str, int]:
    return {code: n for code, n in quantities.items() if n > 0}
