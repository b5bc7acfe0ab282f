"""Horizontal bar charts drawn as SVG on the server: geometry only, the template draws it.

No script and no inline style (the CSP allows neither): positions are SVG attributes, colours
classes of app.css. A chart only repeats its table beside it, which stays the accessible record.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 200  # the group's label, left of its bars
PLOT_WIDTH = 340  # the longest bar; its value is written after it
BAR = 16
BAR_GAP = 3
GROUP_GAP = 12
LABEL_CHARS = 30


@dataclass(frozen=True)
class Value:
    amount: float | None  # None: nothing to draw (a rate without a whole)
    text: str
    css: str  # the series' class: its colour


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    css: str
    text: str
    text_x: int
    text_y: int


@dataclass(frozen=True)
class Group:
    label: str
    label_y: int
    bars: list[Bar]


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    groups: list[Group]


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bar_chart(groups: list[tuple[str, list[Value]]], scale: float | None = None) -> Drawing:
    """One group of bars per (label, values); bars as long as their amount over `scale` (the
    largest amount when None), at least 1 pixel for an amount above zero."""
    amounts = [v.amount for _, values in groups for v in values if v.amount is not None]
    top = scale or max(amounts, default=0) or 1
    drawn: list[Group] = []
    y = GROUP_GAP
    for label, values in groups:
        bars = []
        for i, value in enumerate(values):
            bar_y = y + i * (BAR + BAR_GAP)
            length = round(PLOT_WIDTH * (value.amount or 0) / top)
            if value.amount:
                length = max(length, 1)
            x = LABEL_WIDTH
            bars.append(
                Bar(x, bar_y, length, BAR, value.css, value.text, x + length + 6, bar_y + BAR - 4)
            )
        height = len(values) * (BAR + BAR_GAP) - BAR_GAP
        drawn.append(Group(_short(label), y + height // 2 + 5, bars))
        y += height + GROUP_GAP
    return Drawing(WIDTH, max(y, 2 * GROUP_GAP), drawn)
