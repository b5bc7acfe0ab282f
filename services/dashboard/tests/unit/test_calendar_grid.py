"""The calendar's grid rules: which parts of a day are free, closed or away, and why a course's
next session may not fall on a day."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from dashboard.agenda import AgendaRow
from dashboard.calendar_grid import (
    Away,
    Hours,
    NextSession,
    Resource,
    background,
    day_refusal,
    session_event,
)

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2030, 3, 4)
SPLIT_MONDAY = (Hours(0, time(9), time(12)), Hours(0, time(14), time(18)))
NURSE = Resource("n", "Sam Patel", SPLIT_MONDAY)


def kinds(blocks: list[dict]) -> list[tuple[str, str, str, str]]:
    return [
        (b["classNames"][0], b["start"][11:], b["end"][11:], b["extendedProps"]["reason"])
        for b in blocks
    ]


def test_a_day_with_a_lunch_break_is_free_twice_and_closed_around() -> None:
    assert kinds(background([NURSE], [MONDAY], "Not working this day", PARIS)) == [
        ("cal-closed", "08:00", "09:00", "Closed"),
        ("cal-open", "09:00", "12:00", "Free"),
        ("cal-closed", "12:00", "14:00", "Closed"),
        ("cal-open", "14:00", "18:00", "Free"),
        ("cal-closed", "18:00", "20:00", "Closed"),
    ]


def test_a_day_without_hours_is_closed_with_the_reason_given() -> None:
    tuesday = date(2030, 3, 5)
    blocks = background([NURSE], [tuesday], "Not working this day", PARIS)
    assert kinds(blocks) == [("cal-closed", "08:00", "20:00", "Not working this day")]


def test_time_off_is_shown_on_the_clinic_clock_with_its_reason() -> None:
    away = Away(
        datetime(2030, 3, 4, 13, tzinfo=ZoneInfo("UTC")),
        datetime(2030, 3, 4, 17, tzinfo=ZoneInfo("UTC")),
        "Training",
    )
    resource = Resource("n", "Sam Patel", SPLIT_MONDAY, (away,))
    blocks = [b for b in background([resource], [], "", PARIS) if "cal-away" in b["classNames"]]
    assert kinds(blocks) == [("cal-away", "14:00", "18:00", "Away: Training")]


def next_after(last: date) -> NextSession:
    return NextSession(
        sequence=3,
        earliest=date(2030, 3, 11),
        latest=date(2030, 3, 19),
        last_day=last,
        min_days=7,
        max_days=15,
        practitioner=Resource(
            "n", "Sam Patel", tuple(Hours(d, time(9), time(18)) for d in range(5))
        ),
    )


def test_a_day_outside_the_window_says_too_soon_or_too_late() -> None:
    course = next_after(MONDAY)
    assert day_refusal(date(2030, 3, 8), MONDAY, course) == (
        "Too soon: session 3 comes at least 7 days after the last one (Mon 04 Mar)."
    )
    assert day_refusal(date(2030, 3, 20), MONDAY, course) == (
        "Too late: session 3 comes at most 15 days after the last one (Mon 04 Mar)."
    )


def test_a_day_in_the_window_is_refused_only_when_the_practitioner_does_not_work() -> None:
    course = next_after(MONDAY)
    assert day_refusal(date(2030, 3, 12), MONDAY, course) == ""
    assert day_refusal(date(2030, 3, 16), MONDAY, course) == "Sam Patel does not work on Saturdays."


def test_a_past_day_says_so_before_anything_else() -> None:
    course = next_after(MONDAY)
    assert day_refusal(date(2030, 3, 12), date(2030, 3, 13), course) == "That day is in the past."


def agenda_row(status: str, at_risk: bool) -> AgendaRow:
    session = {
        "id": "s1",
        "course_id": "c1",
        "sequence": 2,
        "status": status,
        "stock_at_risk": at_risk,
        "starts_at": "2030-03-04T09:00:00Z",
        "ends_at": "2030-03-04T09:30:00Z",
    }
    return AgendaRow(session, "Amelia Hart", "Thighs", "Dr Dubois", "Room 1")


def test_a_session_at_risk_is_marked_and_coloured_by_its_status() -> None:
    event = session_event(agenda_row("confirmed", True), "p", PARIS, movable=True)

    assert event["title"] == "Amelia Hart · Thighs (2) · Confirmed by patient · ⚠ Stock at risk"
    assert event["classNames"] == ["cal-session", "cal-confirmed", "cal-at-risk"]
    assert (event["start"], event["end"]) == ("2030-03-04T10:00", "2030-03-04T10:30")
    assert event["editable"] is True


def test_a_completed_session_is_neither_at_risk_nor_movable() -> None:
    event = session_event(agenda_row("completed", True), "p", PARIS, movable=True)

    assert event["classNames"] == ["cal-session", "cal-completed"]
    assert "Stock at risk" not in event["title"]
    assert event["editable"] is False


def test_a_missed_session_on_the_grid_shows_the_number_it_had() -> None:
    row = agenda_row("no_show", False)
    row.session.update(sequence=None, was_sequence=2)

    event = session_event(row, "p", PARIS, movable=False)

    assert event["title"].startswith("Amelia Hart · Thighs (was 2) · ")
