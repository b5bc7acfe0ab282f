"""Practitioners' calendar feeds: a secret URL per practitioner, serving RFC 5545 that a
calendar app reads back, one event per session, a move a higher SEQUENCE, a cancel CANCELLED."""

from __future__ import annotations

import asyncio
import hashlib
from urllib.parse import urlsplit

import httpx
import sqlalchemy as sa
from icalendar import Calendar, Event

from clinic_shared.ical import session_uid
from clinic_shared.problems import PROBLEM_JSON
from clinic_shared.ratelimit import Limit, RateLimiter
from clinic_testing.helpers import bearer, eventually

from .conftest import ADMIN, MONDAY, Clinic, days, instant, local

REQUIRED = ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "STATUS", "SUMMARY")


async def _feed_path(clinic: Clinic, rotate: bool = False) -> str:
    where = f"/v1/practitioners/{clinic.practitioner}/feed"
    answer = await (
        clinic.client.post(f"{where}/rotate", headers=ADMIN)
        if rotate
        else clinic.client.get(where, headers=ADMIN)
    )
    assert answer.status_code == 200, answer.text
    return urlsplit(answer.json()["url"]).path


async def _events(client: httpx.AsyncClient, path: str) -> dict[str, Event]:
    """The feed at `path`, parsed back, checked round-trip, by UID."""
    answer = await client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    assert "no-store" in answer.headers["cache-control"]
    calendar = Calendar.from_ical(answer.content)
    assert calendar["VERSION"] == "2.0"
    assert calendar.get("PRODID")
    assert Calendar.from_ical(calendar.to_ical()) == calendar  # round-trips unchanged
    events = calendar.walk("VEVENT")
    for event in events:
        assert all(name in event for name in REQUIRED), event
    return {str(event["UID"]): event for event in events}


async def test_the_feed_lists_each_session_once_with_initials_only(clinic: Clinic) -> None:
    course = await clinic.course()
    first = await clinic.book_ok(course, local(MONDAY + days(1)))
    second = await clinic.book_ok(course, local(MONDAY + days(8)))

    events = await _events(clinic.client, await _feed_path(clinic))

    assert set(events) == {session_uid(first["id"]), session_uid(second["id"])}
    event = events[session_uid(first["id"])]
    assert event.decoded("DTSTART") == instant(first["starts_at"])
    assert event.decoded("DTEND") == instant(first["ends_at"])
    assert event["SEQUENCE"] == 0
    assert event["STATUS"] == "CONFIRMED"
    assert "A.H." in event["SUMMARY"]  # Amelia Hart
    text = (await clinic.client.get(await _feed_path(clinic))).text
    assert "Amelia" not in text
    assert "Hart" not in text
    assert "+4479" not in text


async def test_a_move_raises_the_sequence_and_a_cancel_marks_the_event_cancelled(
    clinic: Clinic,
) -> None:
    course = await clinic.course()
    booked = await clinic.book_ok(course, local(MONDAY + days(1)))
    uid = session_uid(booked["id"])
    path = await _feed_path(clinic)

    for hour in (14, 16):
        moved = await clinic.post(
            f"/v1/sessions/{booked['id']}/reschedule", {"starts_at": local(MONDAY + days(1), hour)}
        )
        assert moved.status_code == 200, moved.text
    after_moves = (await _events(clinic.client, path))[uid]
    assert after_moves["SEQUENCE"] == 2
    assert after_moves.decoded("DTSTART") == instant(local(MONDAY + days(1), 16))

    cancelled = await clinic.post(f"/v1/sessions/{booked['id']}/cancel", {"reason": "flu"})
    assert cancelled.status_code == 200, cancelled.text
    after_cancel = (await _events(clinic.client, path))[uid]
    assert after_cancel["STATUS"] == "CANCELLED"
    assert after_cancel["SEQUENCE"] == 3
    assert after_cancel.decoded("DTSTART") == after_moves.decoded("DTSTART")


async def test_the_events_carry_the_new_revision(clinic: Clinic) -> None:
    course = await clinic.course()
    booked = await clinic.book_ok(course, local(MONDAY + days(1)))
    await clinic.post(
        f"/v1/sessions/{booked['id']}/reschedule", {"starts_at": local(MONDAY + days(1), 15)}
    )
    await clinic.post(f"/v1/sessions/{booked['id']}/cancel", {})

    async def revisions() -> list[tuple[str, int]]:
        mine = [e for e in clinic.events if e.data.get("session_id") == booked["id"]]
        return [(e.type, e.data["revision"]) for e in mine]

    assert await eventually(revisions, until=lambda found: len(found) == 3) == [
        ("scheduling.session.booked", 0),
        ("scheduling.session.rescheduled", 1),
        ("scheduling.session.cancelled", 2),
    ]


async def test_asking_twice_gives_the_same_url_and_rotating_retires_it(clinic: Clinic) -> None:
    await clinic.book_ok(await clinic.course(), local(MONDAY + days(1)))
    old = await _feed_path(clinic)
    assert await _feed_path(clinic) == old

    new = await _feed_path(clinic, rotate=True)

    assert new != old
    assert await _feed_path(clinic) == new
    assert len(await _events(clinic.client, new)) == 1
    retired = await clinic.client.get(old)
    assert retired.status_code == 404


async def test_unknown_rotated_and_forged_secrets_reveal_nothing(clinic: Clinic) -> None:
    await clinic.book_ok(await clinic.course(), local(MONDAY + days(1)))
    old = await _feed_path(clinic)
    real = await _feed_path(clinic, rotate=True)
    secret = real.removeprefix("/v1/feeds/").removesuffix(".ics")
    forged = [
        old,
        f"/v1/feeds/{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}.ics",
        f"/v1/feeds/{secret.upper()}.ics",
        "/v1/feeds/x.ics",
        f"/v1/feeds/{'A' * 500}.ics",
        f"/v1/feeds/{clinic.practitioner}.ics",
    ]
    answers = [await clinic.client.get(path, headers=ADMIN) for path in forged]

    bodies = {(a.status_code, a.headers["content-type"], a.json()["detail"]) for a in answers}
    assert bodies == {(404, PROBLEM_JSON, "No such calendar feed.")}
    assert all("Dubois" not in a.text and "BEGIN:" not in a.text for a in answers)


async def test_only_an_admin_reads_or_rotates_a_feed_url(clinic: Clinic) -> None:
    where = f"/v1/practitioners/{clinic.practitioner}/feed"
    own = bearer("practitioner", practitioner_id=clinic.practitioner)
    for role in (bearer("receptionist"), own, bearer("stock_manager")):
        assert (await clinic.client.get(where, headers=role)).status_code == 403
        assert (await clinic.client.post(f"{where}/rotate", headers=role)).status_code == 403
    nobody = "/v1/practitioners/00000000-0000-4000-8000-000000000000/feed"
    assert (await clinic.client.get(nobody, headers=ADMIN)).status_code == 404


async def test_feed_requests_are_rate_limited_per_address(clinic: Clinic) -> None:
    clinic.app.state.feed_limiter = RateLimiter(Limit(2, 60))
    path = await _feed_path(clinic)
    answers = [await clinic.client.get(path) for _ in range(2)]
    guessed = await clinic.client.get("/v1/feeds/guess.ics")

    assert [a.status_code for a in answers] == [200, 200]
    assert guessed.status_code == 429
    assert int(guessed.headers["retry-after"]) >= 1


async def test_past_sessions_leave_the_feed(clinic: Clinic) -> None:
    course = await clinic.course()
    first = await clinic.book_ok(course, local(MONDAY + days(1)))
    second = await clinic.book_ok(course, local(MONDAY + days(8)))
    path = await _feed_path(clinic)

    clinic.travel_to(instant(first["ends_at"]) + days(1))

    assert set(await _events(clinic.client, path)) == {session_uid(second["id"])}


async def test_first_asks_at_once_get_one_url(clinic: Clinic) -> None:
    where = f"/v1/practitioners/{clinic.practitioner}/feed"
    answers = await asyncio.gather(*(clinic.client.get(where, headers=ADMIN) for _ in range(6)))

    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["url"] for a in answers}) == 1


async def test_rotations_at_once_leave_exactly_one_working_url(clinic: Clinic) -> None:
    await _feed_path(clinic)
    where = f"/v1/practitioners/{clinic.practitioner}/feed/rotate"
    answers = await asyncio.gather(*(clinic.client.post(where, headers=ADMIN) for _ in range(5)))
    paths = [urlsplit(a.json()["url"]).path for a in answers]

    statuses = [(await clinic.client.get(path)).status_code for path in paths]

    assert sorted(statuses) == [200, 404, 404, 404, 404]
    assert paths[statuses.index(200)] == await _feed_path(clinic)


async def test_the_secret_is_stored_sealed_and_looked_up_by_a_keyed_index(clinic: Clinic) -> None:
    secret = (await _feed_path(clinic)).removeprefix("/v1/feeds/").removesuffix(".ics")
    async with clinic.app.state.runtime.db.session() as session:
        query = sa.text("SELECT secret, secret_index FROM practitioner_feeds")
        stored, index = (await session.execute(query)).one()

    assert secret not in stored
    assert stored.startswith("enc1.")
    assert index not in (secret, hashlib.sha256(secret.encode()).hexdigest())
