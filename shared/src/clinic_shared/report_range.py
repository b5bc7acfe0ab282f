"""The span a report covers: clinic-local days, first to last included, a year and a day at most."""

from __future__ import annotations

from datetime import date

from clinic_shared.errors import Unprocessable

LONGEST_REPORT_DAYS = 366


def check_report_range(first: date, last: date) -> None:
    """Refuse `to` before `from`, or a span longer than 366 days, naming `query.to`.

    Only compares and subtracts days, so year 1 or 9999 cannot overflow here.
    """
    if not first <= last or (last - first).days >= LONGEST_REPORT_DAYS:
        raise Unprocessable(
            f"`to` must be on or after `from`, at most {LONGEST_REPORT_DAYS} days on.",
            errors=[{"field": "query.to", "reason": "before from, or more than a year on"}],
        )
