"""The reports the Reports page shows: where each is asked, its table's columns and its charts.

The figures are computed by scheduling and inventory (`/v1/reports/...`); here they become one
table per report (the page's table and its CSV alike) and the charts drawn from that table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dashboard.charts import Drawing, Value, bar_chart
from dashboard.i18n import N_, gettext

Row = dict[str, Any]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text, count, share (0-1, shown as a percentage), day


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    css: str


@dataclass(frozen=True)
class ChartSpec:
    title: str
    series: tuple[Series, ...]
    share: bool = False  # amounts are shares: the scale is 100 %
    only: tuple[str, str] | None = None  # (column, value): the rows it draws


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    service: str
    path: str
    explanation: str
    columns: tuple[Column, ...]
    charts: tuple[ChartSpec, ...]
    rows: Callable[[Any, dict[str, str]], list[Row]]
    by_practitioner: bool = True
    label: str = "name"  # the column naming a chart's group


def share_text(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def cell(column: Column, row: Row) -> str:
    """A table cell as the page shows it."""
    value = row.get(column.key)
    if column.kind == "share":
        return share_text(value)
    return "" if value is None else str(value)


def csv_cell(column: Column, row: Row) -> str:
    """A CSV cell: a share as a percentage with one decimal, without the sign; text that a
    spreadsheet would run as a formula (a name typed as `=HYPERLINK(...)`) after a quote."""
    value = row.get(column.key)
    if column.kind == "share":
        return "" if value is None else f"{value * 100:.1f}"
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def chart(spec: ChartSpec, rows: list[Row], label: str) -> Drawing:
    chosen = [r for r in rows if spec.only is None or r.get(spec.only[0]) == spec.only[1]]
    groups = []
    for row in chosen:
        values = []
        for s in spec.series:
            amount = row.get(s.key)
            text = share_text(amount) if spec.share else str(amount or 0)
            values.append(Value(amount, f"{gettext(s.label)}: {text}", s.css))
        groups.append((str(row.get(label, "")), values))
    return bar_chart(groups, 1.0 if spec.share else None)


def _utilisation(answer: Any, names: dict[str, str]) -> list[Row]:
    kinds = (("practitioners", N_("Practitioner")), ("rooms", N_("Room")))
    return [r | {"group": key, "kind": gettext(label)} for key, label in kinds for r in answer[key]]


def _plain(answer: Any, names: dict[str, str]) -> list[Row]:
    return list(answer)


def _vials(answer: Any, names: dict[str, str]) -> list[Row]:
    rows = []
    for r in answer:
        treatment = names.get(r["treatment_code"], r["treatment_code"])
        rows.append(r | {"treatment": treatment, "what": f"{treatment} · {r['product_name']}"})
    return rows


def _waste(answer: Any, names: dict[str, str]) -> list[Row]:
    return [r | {"what": f"{r['product_name']} · {r['lot_number']}"} for r in answer]


BOOKED = Series("utilisation", N_("Booked"), "bar-booked")
REPORTS: dict[str, Report] = {
    r.slug: r
    for r in (
        Report(
            "utilisation",
            N_("Utilisation"),
            "scheduling",
            "/v1/reports/utilisation",
            N_(
                "Booked session time (missed sessions too, not cancelled ones) over working "
                "hours; a room's over the clinic's opening hours."
            ),
            (
                Column("kind", N_("For")),
                Column("name", N_("Name")),
                Column("available_minutes", N_("Available minutes"), "count"),
                Column("booked_minutes", N_("Booked minutes"), "count"),
                Column("utilisation", N_("Utilisation"), "share"),
            ),
            (
                ChartSpec(N_("Practitioners"), (BOOKED,), True, ("group", "practitioners")),
                ChartSpec(N_("Rooms"), (BOOKED,), True, ("group", "rooms")),
            ),
            _utilisation,
        ),
        Report(
            "attendance",
            N_("No-shows and cancellations"),
            "scheduling",
            "/v1/reports/attendance",
            N_("Sessions starting in the period, and the shares of them missed or cancelled."),
            (
                Column("name", N_("Practitioner")),
                Column("sessions", N_("Sessions"), "count"),
                Column("completed", N_("Completed"), "count"),
                Column("no_shows", N_("No-shows"), "count"),
                Column("cancelled", N_("Cancelled"), "count"),
                Column("no_show_rate", N_("No-show rate"), "share"),
                Column("cancellation_rate", N_("Cancellation rate"), "share"),
            ),
            (
                ChartSpec(
                    N_("Rates per practitioner"),
                    (
                        Series("no_show_rate", N_("No-shows"), "bar-missed"),
                        Series("cancellation_rate", N_("Cancelled"), "bar-cancelled"),
                    ),
                    True,
                ),
            ),
            _plain,
        ),
        Report(
            "adherence",
            N_("Course adherence"),
            "scheduling",
            "/v1/reports/adherence",
            N_(
                "Intervals between a course's sessions ending in the period, within the "
                "course's bounds or not; courses whose last session is in the period."
            ),
            (
                Column("name", N_("Practitioner")),
                Column("intervals", N_("Intervals"), "count"),
                Column("within", N_("Within bounds"), "count"),
                Column("within_rate", N_("Share within bounds"), "share"),
                Column("completed", N_("Courses completed"), "count"),
                Column("abandoned", N_("Courses abandoned"), "count"),
            ),
            (
                ChartSpec(
                    N_("Intervals within bounds"),
                    (Series("within_rate", N_("Within bounds"), "bar-booked"),),
                    True,
                ),
                ChartSpec(
                    N_("Courses completed and abandoned"),
                    (
                        Series("completed", N_("Completed"), "bar-done"),
                        Series("abandoned", N_("Abandoned"), "bar-cancelled"),
                    ),
                ),
            ),
            _plain,
        ),
        Report(
            "vials",
            N_("Vials per treatment"),
            "inventory",
            "/v1/reports/vials",
            N_(
                "Over the sessions completed in the period: the vials their kits planned "
                "against those used. For every practitioner: stock does not know who treats."
            ),
            (
                Column("treatment", N_("Treatment")),
                Column("product_name", N_("Product")),
                Column("sessions", N_("Sessions"), "count"),
                Column("planned", N_("Vials planned"), "count"),
                Column("consumed", N_("Vials used"), "count"),
            ),
            (
                ChartSpec(
                    N_("Planned and used"),
                    (
                        Series("planned", N_("Planned"), "bar-booked"),
                        Series("consumed", N_("Used"), "bar-done"),
                    ),
                ),
            ),
            _vials,
            by_practitioner=False,
            label="what",
        ),
        Report(
            "expiry-waste",
            N_("Expiry waste"),
            "inventory",
            "/v1/reports/expiry-waste",
            N_(
                "Lots that expired in the period with vials unused: those left in them and "
                "those disposed of after expiry. For every practitioner."
            ),
            (
                Column("product_name", N_("Product")),
                Column("lot_number", N_("Lot")),
                Column("expires_on", N_("Expired on"), "day"),
                Column("left_unused", N_("Left unused"), "count"),
                Column("disposed", N_("Disposed of"), "count"),
                Column("wasted", N_("Vials wasted"), "count"),
            ),
            (ChartSpec(N_("Vials wasted"), (Series("wasted", N_("Wasted"), "bar-missed"),)),),
            _waste,
            by_practitioner=False,
            label="what",
        ),
    )
}


@dataclass
class Shown:
    """A report as asked: its rows and the charts drawn from them."""

    report: Report
    rows: list[Row]
    charts: list[tuple[str, Drawing]] = field(default_factory=list)


def shown(report: Report, answer: Any, treatment_names: dict[str, str]) -> Shown:
    rows = report.rows(answer, treatment_names)
    charts = [(spec.title, chart(spec, rows, report.label)) for spec in report.charts]
    return Shown(report, rows, charts)
