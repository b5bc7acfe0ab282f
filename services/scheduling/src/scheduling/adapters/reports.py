"""SQL for the reports: utilisation, attendance and course adherence over a span of days.

Each figure is one aggregate query that PostgreSQL computes from the span's sessions (found by
`ix_sessions_start` and `ix_sessions_course`), so a report costs what the span holds, not the
clinic's whole history. They are hand-written SQL: `generate_series` over the span's days, the
`LATERAL` look-up of each session's previous one and `FILTER` counts read plainly in SQL, and
would be longer and harder to check as SQLAlchemy expressions.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from clinic_shared.outbox import Repository

# Booked time: the sessions that took their slot, a missed one (no_show) too; a cancelled one
# freed it. An interval runs between sessions that count towards the course (domain.model.ACTIVE).

PRACTITIONER_UTILISATION = sa.text("""
WITH days AS (
    SELECT d::date AS day
    FROM generate_series(CAST(:first AS date), CAST(:last AS date), interval '1 day') AS d
), windows AS (
    SELECT w.practitioner_id,
           (days.day + w.start) AT TIME ZONE :zone AS opens,
           (days.day + w."end") AT TIME ZONE :zone AS closes
    FROM days JOIN working_hours w ON w.weekday = extract(isodow FROM days.day) - 1
), hours AS (
    SELECT windows.practitioner_id,
           sum(extract(epoch FROM closes - opens) - coalesce(away.seconds, 0)) / 60 AS minutes
    FROM windows
    LEFT JOIN LATERAL (
        SELECT sum(extract(epoch FROM least(closes, t.ends_at) - greatest(opens, t.starts_at)))
               AS seconds
        FROM time_off t
        WHERE t.practitioner_id = windows.practitioner_id
          AND t.starts_at < closes AND t.ends_at > opens
    ) away ON true
    GROUP BY windows.practitioner_id
), booked AS (
    SELECT practitioner_id, sum(extract(epoch FROM ends_at - starts_at)) / 60 AS minutes
    FROM sessions
    WHERE starts_at >= :start AND starts_at < :end
      AND status IN ('booked', 'confirmed', 'completed', 'no_show')
    GROUP BY practitioner_id
)
SELECT p.id, p.name, coalesce(h.minutes, 0) AS available, coalesce(b.minutes, 0) AS booked
FROM practitioners p
LEFT JOIN hours h ON h.practitioner_id = p.id
LEFT JOIN booked b ON b.practitioner_id = p.id
WHERE (CAST(:who AS uuid) IS NULL OR p.id = CAST(:who AS uuid))
  AND (h.minutes IS NOT NULL OR b.minutes IS NOT NULL)
ORDER BY p.name, p.id
""")

ROOM_UTILISATION = sa.text("""
WITH days AS (
    SELECT d::date AS day
    FROM generate_series(CAST(:first AS date), CAST(:last AS date), interval '1 day') AS d
), opening AS (
    SELECT weekday, min(start) AS opens, max("end") AS closes FROM working_hours GROUP BY weekday
), open_minutes AS (
    SELECT coalesce(sum(extract(epoch FROM o.closes - o.opens)) / 60, 0) AS minutes
    FROM days JOIN opening o ON o.weekday = extract(isodow FROM days.day) - 1
), booked AS (
    SELECT room_id, sum(extract(epoch FROM ends_at - starts_at)) / 60 AS minutes
    FROM sessions
    WHERE starts_at >= :start AND starts_at < :end
      AND status IN ('booked', 'confirmed', 'completed', 'no_show')
      AND (CAST(:who AS uuid) IS NULL OR practitioner_id = CAST(:who AS uuid))
    GROUP BY room_id
)
SELECT r.id, r.name, open_minutes.minutes AS available, coalesce(b.minutes, 0) AS booked
FROM rooms r CROSS JOIN open_minutes LEFT JOIN booked b ON b.room_id = r.id
ORDER BY r.name, r.id
""")

ATTENDANCE = sa.text("""
SELECT p.id, p.name,
       count(*) AS sessions,
       count(*) FILTER (WHERE s.status = 'completed') AS completed,
       count(*) FILTER (WHERE s.status = 'no_show') AS no_shows,
       count(*) FILTER (WHERE s.status = 'cancelled') AS cancelled
FROM sessions s JOIN practitioners p ON p.id = s.practitioner_id
WHERE s.starts_at >= :start AND s.starts_at < :end
  AND (CAST(:who AS uuid) IS NULL OR s.practitioner_id = CAST(:who AS uuid))
GROUP BY p.id, p.name
ORDER BY p.name, p.id
""")

# An interval: from a counted session of the course to its next, the later one in the span;
# its length in clinic-local days, against the course's prescription or else the treatment's.
INTERVALS = sa.text("""
SELECT p.id, p.name,
       count(*) AS intervals,
       count(*) FILTER (
           WHERE gap.days BETWEEN coalesce(c.min_interval_days, t.min_interval_days)
                              AND coalesce(c.max_interval_days, t.max_interval_days)
       ) AS within
FROM sessions s
JOIN courses c ON c.id = s.course_id
JOIN treatments t ON t.code = c.treatment_code
JOIN practitioners p ON p.id = c.practitioner_id
CROSS JOIN LATERAL (
    SELECT (s.starts_at AT TIME ZONE :zone)::date - (prev.starts_at AT TIME ZONE :zone)::date
           AS days
    FROM sessions prev
    WHERE prev.course_id = s.course_id AND prev.starts_at < s.starts_at
      AND prev.status IN ('booked', 'confirmed', 'completed')
    ORDER BY prev.starts_at DESC
    LIMIT 1
) gap
WHERE s.starts_at >= :start AND s.starts_at < :end
  AND s.status IN ('booked', 'confirmed', 'completed')
  AND (CAST(:who AS uuid) IS NULL OR c.practitioner_id = CAST(:who AS uuid))
GROUP BY p.id, p.name
""")

# A course ends in the span when it is completed or abandoned and its last session is in it.
ENDED_COURSES = sa.text("""
SELECT p.id, p.name,
       count(*) FILTER (WHERE c.status = 'completed') AS completed,
       count(*) FILTER (WHERE c.status = 'abandoned') AS abandoned
FROM courses c JOIN practitioners p ON p.id = c.practitioner_id
WHERE c.status IN ('completed', 'abandoned')
  AND c.id IN (SELECT course_id FROM sessions WHERE starts_at >= :start AND starts_at < :end)
  AND NOT EXISTS (
      SELECT 1 FROM sessions later WHERE later.course_id = c.id AND later.starts_at >= :end
  )
  AND (CAST(:who AS uuid) IS NULL OR c.practitioner_id = CAST(:who AS uuid))
GROUP BY p.id, p.name
""")


class ReportRepository(Repository):
    async def _rows(self, query: sa.TextClause, **params: Any) -> list[dict[str, Any]]:
        found = await self._session.execute(query, params)
        return [dict(row) for row in found.mappings()]

    async def practitioner_utilisation(
        self, span: tuple[date, date, datetime, datetime], who: uuid.UUID | None, zone: str
    ) -> list[dict[str, Any]]:
        """`span`: the first and last day, and the instants it starts and ends."""
        first, last, start, end = span
        return await self._rows(
            PRACTITIONER_UTILISATION,
            first=first, last=last, start=start, end=end, who=who, zone=zone,
        )  # fmt: skip

    async def room_utilisation(
        self, first: date, last: date, start: datetime, end: datetime, who: uuid.UUID | None
    ) -> list[dict[str, Any]]:
        return await self._rows(
            ROOM_UTILISATION, first=first, last=last, start=start, end=end, who=who
        )

    async def attendance(
        self, start: datetime, end: datetime, who: uuid.UUID | None
    ) -> list[dict[str, Any]]:
        return await self._rows(ATTENDANCE, start=start, end=end, who=who)

    async def intervals(
        self, start: datetime, end: datetime, who: uuid.UUID | None, zone: str
    ) -> list[dict[str, Any]]:
        return await self._rows(INTERVALS, start=start, end=end, who=who, zone=zone)

    async def ended_courses(
        self, start: datetime, end: datetime, who: uuid.UUID | None
    ) -> list[dict[str, Any]]:
        return await self._rows(ENDED_COURSES, start=start, end=end, who=who)
