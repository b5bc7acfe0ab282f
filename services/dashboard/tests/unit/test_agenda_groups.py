"""The agenda's groups: a practitioner's own sessions come first, whatever their name."""

from __future__ import annotations

import uuid

from dashboard.agenda import AgendaRow, grouped

ZOE, ADAM = uuid.uuid4(), uuid.uuid4()


def _row(practitioner_id: uuid.UUID, name: str, room: str) -> AgendaRow:
    session = {"practitioner_id": str(practitioner_id), "status": "booked"}
    return AgendaRow(session, "Amelia Hart", "Cellulite", name, room)


ROWS = [_row(ADAM, "Adam", "Room 2"), _row(ZOE, "Zoe", "Room 1"), _row(ADAM, "Adam", "Room 1")]


def test_the_signed_in_practitioners_group_comes_first_and_is_marked_theirs() -> None:
    groups = grouped(ROWS, "practitioner", ZOE)

    assert [(g.name, g.mine, len(g.rows)) for g in groups] == [("Zoe", True, 1), ("Adam", False, 2)]


def test_without_a_linked_practitioner_the_groups_go_by_name() -> None:
    assert [g.name for g in grouped(ROWS, "practitioner")] == ["Adam", "Zoe"]


def test_by_room_no_group_is_anyones_own() -> None:
    groups = grouped(ROWS, "room", ZOE)

    assert [(g.name, g.mine) for g in groups] == [("Room 1", False), ("Room 2", False)]
