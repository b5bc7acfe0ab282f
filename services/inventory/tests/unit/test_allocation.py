"""FEFO allocation, as properties over any stock and any session date."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from inventory.domain.allocation import LotStock, allocate, picked, valid_on

DAY0 = date(2027, 1, 1)

lot_stock = st.builds(
    LotStock,
    lot_id=st.uuids(),
    lot_number=st.text("ABC123", min_size=1, max_size=4),
    expires_on=st.integers(0, 60).map(lambda d: DAY0 + timedelta(days=d)),
    available=st.integers(0, 20),
    usable=st.booleans(),
)
stock = st.lists(lot_stock, max_size=8, unique_by=lambda lot: lot.lot_id)
session_on = st.integers(0, 60).map(lambda d: DAY0 + timedelta(days=d))
needed = st.integers(0, 80)


@given(needed, stock, session_on)
def test_never_a_lot_that_expires_by_the_session_or_cannot_be_used(n, lots, day) -> None:
    by_id = {lot.lot_id: lot for lot in lots}
    for pick in allocate(n, lots, day):
        assert valid_on(by_id[pick.lot_id], day)


@given(needed, stock, session_on)
def test_never_more_than_a_lot_has_free_nor_more_than_needed(n, lots, day) -> None:
    by_id = {lot.lot_id: lot for lot in lots}
    picks = allocate(n, lots, day)
    assert all(0 < p.quantity <= by_id[p.lot_id].available for p in picks)
    assert len({p.lot_id for p in picks}) == len(picks)
    valid_total = sum(lot.available for lot in lots if valid_on(lot, day))
    assert picked(picks) == min(n, valid_total)


@given(needed, stock, session_on)
def test_a_later_expiry_is_used_only_once_every_earlier_valid_lot_is_empty(n, lots, day) -> None:
    picks = allocate(n, lots, day)
    taken = {p.lot_id: p.quantity for p in picks}
    latest_used = max((lot.expires_on for lot in lots if lot.lot_id in taken), default=None)
    if latest_used is None:
        return
    for lot in lots:
        if valid_on(lot, day) and lot.expires_on < latest_used:
            assert taken.get(lot.lot_id, 0) == lot.available


def test_the_lot_expiring_on_the_session_day_is_skipped_for_the_next_one() -> None:
    same_day = LotStock(uuid.uuid4(), "A", DAY0, 5)
    next_day = LotStock(uuid.uuid4(), "B", DAY0 + timedelta(days=1), 5)
    later = LotStock(uuid.uuid4(), "C", DAY0 + timedelta(days=30), 5)
    picks = allocate(7, [later, same_day, next_day], DAY0)
    assert [(p.lot_id, p.quantity) for p in picks] == [(next_day.lot_id, 5), (later.lot_id, 2)]
