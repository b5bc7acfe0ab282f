"""How much to order of a product: enough for the forecast through the supplier's lead time plus
the product's cover margin, net of what is on hand and already on order, in whole packs and at
least the supplier's minimum. Pure arithmetic on the forecast (`domain.forecast.project`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from inventory.domain.forecast import DayForecast


@dataclass(frozen=True)
class OrderNeed:
    quantity: int
    booked: int
    expected: int
    on_hand: int
    on_order: int
    expiring: int
    cover_days: int
    short_now: int = 0

    @property
    def reason(self) -> str:
        """Why this quantity: "booked 38, expected 12, on hand 20, cover 7 days"."""
        words = [f"booked {self.booked}", f"expected {self.expected}", f"on hand {self.on_hand}"]
        if self.expiring:
            words.append(f"expiring unused {self.expiring}")
        if self.on_order:
            words.append(f"on order {self.on_order}")
        if self.short_now:
            words.append(f"booked sessions lack {self.short_now} now")
        return ", ".join([*words, f"cover {self.cover_days} days"])


def window_days(lead_time_days: int, cover_days: int) -> int:
    """Days the order covers, today included: through arrival plus the cover margin."""
    return lead_time_days + cover_days + 1


def size_order(
    forecast: Sequence[DayForecast],
    *,
    on_hand: int,
    on_order: int,
    lead_time_days: int,
    cover_days: int,
    pack_size: int,
    minimum_order: int,
    short_now: int = 0,
) -> OrderNeed | None:
    """What to order so nothing runs short through lead time + cover, or None when the stock on
    hand and on order already covers it.

    `forecast` starts today and spans at least `window_days`; its projection already draws the
    demand from the lots on hand (first expiry first, expired vials lost), so what it cannot meet
    by the window's end is the shortfall. `short_now`: the vials booked sessions lack today (held
    for later sessions booked first); the order covers at least those, which the alert names,
    and says so when they size it.
    """
    window = forecast[: window_days(lead_time_days, cover_days)]
    projected_short = max(-window[-1].projected, 0)
    short_now = short_now if short_now > projected_short else 0  # said only when it sizes
    shortfall = max(projected_short, short_now) - on_order
    if shortfall <= 0:
        return None
    quantity = math.ceil(max(shortfall, minimum_order) / pack_size) * pack_size
    return OrderNeed(
        quantity=quantity,
        booked=sum(d.booked for d in window),
        expected=sum(d.expected for d in window),
        on_hand=on_hand,
        on_order=on_order,
        expiring=sum(d.expiring for d in window),
        cover_days=cover_days,
        short_now=short_now,
    )
