"""Notifications' queue hears every event it acts on, and not the one every booking sends it."""

from __future__ import annotations

from clinic_shared.contracts.events import StockReserved
from clinic_shared.messaging.topology import SUBSCRIPTIONS, topic_matches
from notifications.service_layer.handlers import EVENT_HANDLERS

BOUND = SUBSCRIPTIONS["notifications"]


def test_every_event_notifications_handles_reaches_its_queue() -> None:
    unbound = [t for t in EVENT_HANDLERS if not any(topic_matches(p, t) for p in BOUND)]
    assert unbound == []


def test_stock_reservations_are_not_delivered_to_notifications() -> None:
    assert not any(topic_matches(p, StockReserved.TYPE) for p in BOUND)
