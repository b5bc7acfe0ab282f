"""A session that time off or a closure displaced: its patient is told, by each consented
channel, with their self-service link to pick a new time; once, and not for a session that
moved or went meanwhile."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from clinic_shared.contracts.events import SessionBooked, SessionDisplaced, SessionRescheduled
from clinic_shared.patient_links import read_link
from clinic_testing.helpers import running
from notifications.bootstrap import build_app
from notifications.entrypoints.workers import build_channels, build_dispatcher
from notifications.settings import NotificationsSettings

from .events import STARTS, T0, Session, envelope, messages, publish
from .test_patient_links import _text

BASE = "https://clinic.example"
LINK = re.compile(re.escape(BASE) + r"/p/([\w.-]+)")
LATER = T0 + timedelta(days=1)


async def _app(make_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = await make_settings(
        NotificationsSettings,
        dispatch_enabled=False,
        outbox_dir=tmp_path,
        patient_link_base_url=BASE,
    )
    channels = build_channels(settings)
    return settings, channels, build_app(settings, channels=channels)


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_a_displaced_session_sends_the_link_to_pick_a_new_time(
    make_settings, tmp_path: Path, language: str
) -> None:
    settings, channels, app = await _app(make_settings, tmp_path)
    session = Session()
    displaced = envelope(SessionDisplaced(**session.facts()), LATER)
    async with running(app) as client:
        await publish(app, envelope(session.contact(language=language)))
        await publish(app, envelope(SessionBooked(**session.facts())))
        await publish(app, displaced)
        await publish(app, envelope(SessionDisplaced(**session.facts()), LATER))  # a copy
        sent = await build_dispatcher(app.state.runtime, settings, channels).dispatch_once(
            now=LATER
        )
        notices = await messages(client, kind="displaced")

    assert sent >= 2
    assert sorted((m["channel"], m["status"]) for m in notices) == [
        ("email", "sent"),
        ("sms", "sent"),
    ]
    key = settings.patient_link_key.get_secret_value()
    for notice in notices:
        [path] = [p for p in tmp_path.iterdir() if p.name.startswith(notice["id"])]
        text = _text(path)
        token = LINK.search(text)
        assert token, text
        assert read_link(key, token.group(1)).course_id == session.course_id
        assert ("must move" if language == "en" else "déplacée") in text


async def test_a_session_moved_before_the_news_arrives_gets_no_notice(
    make_settings, tmp_path: Path
) -> None:
    _, _, app = await _app(make_settings, tmp_path)
    session = Session()
    moved_to = STARTS + timedelta(days=1)
    async with running(app) as client:
        await publish(app, envelope(session.contact()))
        await publish(app, envelope(SessionBooked(**session.facts())))
        await publish(
            app,
            envelope(
                SessionRescheduled(**session.facts(moved_to), previous_starts_at=STARTS), LATER
            ),
        )
        await publish(app, envelope(SessionDisplaced(**session.facts()), LATER))
        notices = await messages(client, kind="displaced")

    assert notices == []


async def test_a_move_withdraws_a_notice_not_sent_yet(make_settings, tmp_path: Path) -> None:
    _, _, app = await _app(make_settings, tmp_path)
    session = Session()
    async with running(app) as client:
        await publish(app, envelope(session.contact()))
        await publish(app, envelope(SessionBooked(**session.facts())))
        await publish(app, envelope(SessionDisplaced(**session.facts()), LATER))
        await publish(
            app,
            envelope(
                SessionRescheduled(
                    **session.facts(STARTS + timedelta(days=1)), previous_starts_at=STARTS
                ),
                LATER + timedelta(minutes=1),
            ),
        )
        notices = await messages(client, kind="displaced")

    assert {m["status"] for m in notices} == {"cancelled"}
