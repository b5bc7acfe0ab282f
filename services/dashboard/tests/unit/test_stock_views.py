from __future__ import annotations

from datetime import date, timedelta

from dashboard.stock_views import expiry_groups, reservation_days

TODAY = date(2027, 3, 1)


def lot(number: str, days: int, *, on_hand: int = 5, status: str = "available") -> dict:
    expires_on = (TODAY + timedelta(days=days)).isoformat()
    return {"lot_number": number, "expires_on": expires_on, "on_hand": on_hand, "status": status}


def test_lots_fall_in_the_first_window_of_30_60_or_90_days_they_expire_in() -> None:
    lots = [lot("L90", 90), lot("L31", 31), lot("L30", 30), lot("L91", 91), lot("L0", 0)]

    groups = expiry_groups(lots, TODAY)

    assert {days: [x["lot_number"] for x in group] for days, group in groups.items()} == {
        30: ["L0", "L30"],
        60: ["L31"],
        90: ["L90"],
    }


def test_empty_recalled_or_expired_lots_are_not_expiring_stock() -> None:
    lots = [
        lot("EMPTY", 5, on_hand=0),
        lot("REC", 5, status="recalled"),
        lot("OLD", 5, status="expired"),
    ]

    assert expiry_groups(lots, TODAY) == {30: [], 60: [], 90: []}


def line(session: str, day: str, product: str, quantity: int, status: str = "reserved") -> dict:
    starts_at = f"{day}T09:00:00Z"
    return {
        "session_id": session,
        "session_on": day,
        "starts_at": starts_at,
        "product_code": product,
        "quantity": quantity,
        "status": status,
    }


def test_reservations_read_as_days_of_sessions_with_each_days_totals() -> None:
    lines = [
        line("a", "2027-03-02", "caffeine", 1),
        line("a", "2027-03-02", "lidocaine", 1, "short"),
        line("b", "2027-03-02", "caffeine", 2),
        line("c", "2027-03-04", "caffeine", 1),
    ]

    days = reservation_days(lines)

    assert [(d.day, [s.session_id for s in d.sessions]) for d in days] == [
        ("2027-03-02", ["a", "b"]),
        ("2027-03-04", ["c"]),
    ]
    assert (days[0].held, days[0].lacking) == ({"caffeine": 3}, {"lidocaine": 1})
    assert [s.short for s in days[0].sessions] == [True, False]
