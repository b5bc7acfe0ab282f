"""The reports' bar charts and cells: lengths to scale, shares as percentages, safe CSV."""

from __future__ import annotations

from dashboard.charts import LABEL_WIDTH, PLOT_WIDTH, Value, bar_chart
from dashboard.reports import REPORTS, cell, csv_cell


def test_bars_are_as_long_as_their_share_of_the_scale() -> None:
    drawn = bar_chart(
        [
            ("Dr Dubois", [Value(0.5, "50 %", "bar-booked")]),
            ("Dr Roux", [Value(None, "-", "bar-booked"), Value(0.001, "0.1 %", "bar-done")]),
        ],
        scale=1.0,
    )

    (half,) = drawn.groups[0].bars
    missing, tiny = drawn.groups[1].bars
    assert (half.x, half.width) == (LABEL_WIDTH, PLOT_WIDTH // 2)
    assert missing.width == 0  # a rate without a whole draws nothing
    assert tiny.width == 1  # above zero stays visible
    assert tiny.y > missing.y > half.y
    assert drawn.height > tiny.y + tiny.height


def test_without_a_scale_the_largest_amount_is_the_full_width() -> None:
    drawn = bar_chart([("a", [Value(4, "4", "x")]), ("b", [Value(8, "8", "x")])])

    assert [g.bars[0].width for g in drawn.groups] == [PLOT_WIDTH // 2, PLOT_WIDTH]


def test_a_long_label_is_shortened() -> None:
    drawn = bar_chart([("Cellulite mesotherapy: thighs · Caffeine 2.5%", [Value(1, "1", "x")])])

    assert drawn.groups[0].label.endswith("…")
    assert len(drawn.groups[0].label) == 30


def test_shares_read_as_percentages_on_the_page_and_in_the_csv() -> None:
    rate = next(c for c in REPORTS["attendance"].columns if c.key == "no_show_rate")

    assert cell(rate, {"no_show_rate": 0.1429}) == "14.3 %"
    assert cell(rate, {"no_show_rate": None}) == "-"
    assert csv_cell(rate, {"no_show_rate": 0.1429}) == "14.3"


def test_a_csv_cell_a_spreadsheet_would_run_as_a_formula_is_quoted() -> None:
    name = next(c for c in REPORTS["attendance"].columns if c.key == "name")

    assert csv_cell(name, {"name": "=HYPERLINK(1)"}) == "'=HYPERLINK(1)"
    assert csv_cell(name, {"name": "Dr Dubois"}) == "Dr Dubois"
