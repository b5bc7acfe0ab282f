"""FEFO allocation: which lots a booked session's vials come from."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class LotStock:
    """A lot as allocation sees it: its expiry, whether it may be used at all, what is free."""

    lot_id: uuid.UUID
    lot_number: str
    expires_on: date
    available: int
    usable: bool = True  # False when recalled, quarantined or marked expired


@dataclass(frozen=True)
class Pick:
    lot_id: uuid.UUID
    quantity: int


def valid_on(lot: LotStock, session_on: date) -> bool:
    """A lot may serve a session when it is usable and still in date after the session day."""
    return lot.usable and lot.expires_on > session_on


def allocate(needed: int, lots: Iterable[LotStock], session_on: date) -> list[Pick]:
    """Take `needed` vials first-expiry-first from lots valid on the session date.

    Returns fewer than `needed` in total when valid stock runs out; the caller records the rest
    as a shortage.
    """
    picks: list[Pick] = []
    remaining = needed
    candidates = sorted(
        (lot for lot in lots if valid_on(lot, session_on) and lot.available > 0),
        key=lambda lot: (lot.expires_on, lot.lot_number, lot.lot_id),
    )
    for lot in candidates:
        if remaining <= 0:
            break
        take = min(remaining, lot.available)
        picks.append(Pick(lot.lot_id, take))
        remaining -= take
    return picks


def picked(picks: Iterable[Pick]) -> int:
    return sum(p.quantity for p in picks)
