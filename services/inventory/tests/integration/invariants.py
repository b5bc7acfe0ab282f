"""What must hold of the stock after any sequence of events and stock changes, read from SQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from inventory.adapters.orm import kit_items, lots, reservations, sessions, shortages

from .conftest import Inventory


@dataclass
class Snapshot:
    lots: dict[Any, Any]
    sessions: dict[Any, Any]
    held: list[Any]
    short: list[Any]
    kits: dict[str, dict[str, int]]


async def snapshot(inventory: Inventory) -> Snapshot:
    async with inventory.app.state.runtime.db.session() as db:
        held = reservations.c.status == "reserved"
        kits: dict[str, dict[str, int]] = defaultdict(dict)
        for k in (await db.execute(sa.select(kit_items))).all():
            kits[k.treatment_code][k.product_code] = k.quantity
        return Snapshot(
            lots={r.id: r for r in (await db.execute(sa.select(lots))).all()},
            sessions={r.session_id: r for r in (await db.execute(sa.select(sessions))).all()},
            held=list((await db.execute(sa.select(reservations).where(held))).all()),
            short=list((await db.execute(sa.select(shortages))).all()),
            kits=kits,
        )


async def violations(inventory: Inventory) -> list[str]:
    """Every broken invariant, described; empty when the stock is consistent."""
    state = await snapshot(inventory)
    return [*_reservations(state), *_shortages(state), *_lot_counts(state), *_kits(state)]


def _reservations(state: Snapshot) -> Iterator[str]:
    for r in state.held:
        lot, booked = state.lots[r.lot_id], state.sessions[r.session_id]
        if booked.status != "booked":
            yield f"{booked.status} session {r.session_id} still holds vials"
        if lot.status != "available" or lot.expires_on <= booked.session_on:
            yield f"lot {lot.lot_number} ({lot.status}) cannot serve {booked.session_on}"


def _shortages(state: Snapshot) -> Iterator[str]:
    for s in state.short:
        booked = state.sessions[s.session_id]
        if booked.status != "booked":
            yield f"{booked.status} session {s.session_id} is recorded short"
        for lot in state.lots.values():
            free = lot.quantity - lot.reserved - lot.consumed
            valid = lot.status == "available" and lot.expires_on > booked.session_on
            if lot.product_code == s.product_code and valid and free > 0:
                yield f"session short of {s.product_code} while {lot.lot_number} has {free}"


def _lot_counts(state: Snapshot) -> Iterator[str]:
    reserved: dict[Any, int] = defaultdict(int)
    for r in state.held:
        reserved[r.lot_id] += r.quantity
    for lot_id, lot in state.lots.items():
        if lot.reserved != reserved[lot_id] or lot.reserved + lot.consumed > lot.quantity:
            yield f"lot {lot.lot_number} counts {lot.reserved} reserved, rows {reserved[lot_id]}"


def _kits(state: Snapshot) -> Iterator[str]:
    covered: dict[tuple[Any, str], int] = defaultdict(int)
    for row in [*state.held, *state.short]:
        covered[(row.session_id, row.product_code)] += row.quantity
    for session_id, booked in state.sessions.items():
        if booked.status != "booked":
            continue
        for product, needed in state.kits[booked.treatment_code].items():
            if (got := covered[(session_id, product)]) != needed:
                yield f"session {session_id} holds or lacks {got} of {needed} {product}"
