"""The timeline's grouping and pages, pure."""

from __future__ import annotations

from dashboard.timeline import timeline

COURSE = {
    "treatment_code": "thighs",
    "sessions": [
        {"id": "s1", "starts_at": "2030-03-04T09:00:00+00:00"},
        {"id": "s2", "starts_at": "2030-03-11T09:00:00+00:00"},
    ],
}
MESSAGES = [
    {"session_id": "s1", "sent_at": "2030-03-03T09:00:00+00:00", "kind": "reminder"},
    {"session_id": None, "sent_at": None, "scheduled_for": "2030-03-01T09:00:00+00:00"},
]
USED = [{"session_id": "s1", "product_code": "caffeine", "lot_number": "B-1", "quantity": 1}]


def test_each_session_gets_its_messages_and_lots_newest_first() -> None:
    page = timeline([COURSE], {"thighs": "Thighs"}, MESSAGES, USED)

    assert [e.session["id"] if e.session else None for e in page.entries] == ["s2", "s1", None]
    assert page.entries[1].messages == MESSAGES[:1]
    assert page.entries[1].consumptions == USED
    assert page.entries[0].treatment == "Thighs"
    assert page.more is False


def test_messages_about_no_session_close_the_last_page_only(monkeypatch) -> None:
    monkeypatch.setattr("dashboard.timeline.SESSIONS_A_PAGE", 1)

    first = timeline([COURSE], {}, MESSAGES, USED, page=1)
    last = timeline([COURSE], {}, MESSAGES, USED, page=2)

    assert [e.session["id"] for e in first.entries if e.session] == ["s2"]
    assert first.more is True
    assert [e.session["id"] if e.session else None for e in last.entries] == ["s1", None]
    assert last.more is False


def test_a_page_past_the_end_is_empty(monkeypatch) -> None:
    monkeypatch.setattr("dashboard.timeline.SESSIONS_A_PAGE", 1)

    past = timeline([COURSE], {}, MESSAGES, USED, page=3)

    assert past.entries == []
    assert past.more is False
