"""SQL for the stock reports: vials per treatment against the kits, and expiry waste.

Hand-written SQL: each is one aggregate over the span's completed sessions or expired lots, and
the kit as a course's prescription adjusts it (`domain.catalogue.adjusted_kit`) reads as a
`LATERAL` union of the kit and the course's JSON adjustments far more plainly in SQL than as a
SQLAlchemy expression.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from clinic_shared.outbox import Repository

# Planned: per completed session, the treatment's kit as its course's prescription adjusts it
# (an adjusted product replaces the kit's quantity, a product the kit lacks is added). Consumed:
# the vials recorded against those sessions, whichever lot they came from.
VIALS = sa.text("""
WITH held AS (
    SELECT session_id, course_id, treatment_code FROM sessions
    WHERE status = 'completed' AND session_on BETWEEN :first AND :last
), planned AS (
    SELECT h.treatment_code, line.product_code,
           count(DISTINCT h.session_id) AS sessions, sum(line.quantity) AS planned
    FROM held h
    LEFT JOIN courses c ON c.course_id = h.course_id
    CROSS JOIN LATERAL (
        SELECT k.product_code,
               coalesce((c.kit_adjustments ->> k.product_code)::int, k.quantity) AS quantity
        FROM kit_items k WHERE k.treatment_code = h.treatment_code
        UNION ALL
        SELECT a.key, a.value::int
        FROM json_each_text(coalesce(c.kit_adjustments, '{}'::json)) AS a
        WHERE NOT EXISTS (
            SELECT 1 FROM kit_items k
            WHERE k.treatment_code = h.treatment_code AND k.product_code = a.key
        )
    ) line
    WHERE line.quantity > 0
    GROUP BY h.treatment_code, line.product_code
), consumed AS (
    SELECT h.treatment_code, x.product_code, sum(x.quantity) AS consumed
    FROM held h JOIN consumptions x ON x.session_id = h.session_id
    GROUP BY h.treatment_code, x.product_code
)
SELECT coalesce(p.treatment_code, x.treatment_code) AS treatment_code,
       coalesce(p.product_code, x.product_code) AS product_code,
       coalesce(pr.name, coalesce(p.product_code, x.product_code)) AS product_name,
       coalesce(p.sessions, 0) AS sessions,
       coalesce(p.planned, 0) AS planned,
       coalesce(x.consumed, 0) AS consumed
FROM planned p
FULL JOIN consumed x ON x.treatment_code = p.treatment_code AND x.product_code = p.product_code
LEFT JOIN products pr ON pr.code = coalesce(p.product_code, x.product_code)
ORDER BY 1, 2
""")

# A lot wasted by expiry: its expiry day is in the span and has come (a lot is expired from that
# day on, `domain.lots.effective_status`); the vials left in it unused, and those disposed of
# from that day on (a disposal takes them out of the lot's quantity).
EXPIRY_WASTE = sa.text("""
SELECT l.id AS lot_id, l.product_code, p.name AS product_name, l.lot_number, l.expires_on,
       l.quantity - l.consumed AS left_unused,
       coalesce(d.disposed, 0) AS disposed
FROM lots l
JOIN products p ON p.code = l.product_code
LEFT JOIN LATERAL (
    SELECT sum(a.quantity_before - a.quantity_after) AS disposed
    FROM adjustments a
    WHERE a.lot_id = l.id AND a.kind = 'disposal'
      AND (a.adjusted_at AT TIME ZONE :zone)::date >= l.expires_on
) d ON true
WHERE l.expires_on BETWEEN :first AND :last AND l.expires_on <= :today
  AND l.quantity - l.consumed + coalesce(d.disposed, 0) > 0
ORDER BY p.name, l.expires_on, l.lot_number
""")


class ReportRepository(Repository):
    async def vials(self, first: date, last: date) -> list[dict[str, Any]]:
        found = await self._session.execute(VIALS, {"first": first, "last": last})
        return [dict(row) for row in found.mappings()]

    async def expiry_waste(
        self, first: date, last: date, today: date, zone: str
    ) -> list[dict[str, Any]]:
        params = {"first": first, "last": last, "today": today, "zone": zone}
        found = await self._session.execute(EXPIRY_WASTE, params)
        return [dict(row) for row in found.mappings()]
