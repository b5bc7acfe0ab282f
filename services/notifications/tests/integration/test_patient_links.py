"""Confirmations and reminders carry the patient's self-service link to the dashboard's
`/p/{token}`, bound to the session's course; the messages API shows no text, so no link."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email.message import Message
from pathlib import Path

import pytest

from clinic_shared.contracts.events import SessionBooked
from clinic_shared.patient_links import read_link
from clinic_shared.tokens import Role
from clinic_testing.helpers import bearer, running
from notifications.bootstrap import build_app
from notifications.entrypoints.workers import build_channels, build_dispatcher
from notifications.settings import NotificationsSettings

from .events import STARTS, T0, Session, envelope, messages, publish

BASE = "https://clinic.example"
LINK = re.compile(re.escape(BASE) + r"/p/([\w.-]+)")


def _text(path: Path) -> str:
    if path.suffix == ".txt":
        return path.read_text()
    parsed = email.message_from_bytes(path.read_bytes())
    plain = next(p for p in parsed.walk() if p.get_content_type() == "text/plain")
    assert isinstance(plain, Message)
    return str(plain.get_payload(decode=True).decode())


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_confirmations_and_reminders_carry_the_courses_link(
    make_settings, tmp_path: Path, language: str
) -> None:
    settings = await make_settings(
        NotificationsSettings,
        dispatch_enabled=False,
        outbox_dir=tmp_path,
        patient_link_base_url=BASE,
    )
    channels = build_channels(settings)
    app = build_app(settings, channels=channels)
    session = Session()
    async with running(app) as client:
        await publish(app, envelope(session.contact(language=language)))
        await publish(app, envelope(SessionBooked(**session.facts())))
        dispatcher = build_dispatcher(app.state.runtime, settings, channels)
        await dispatcher.dispatch_once(now=T0)
        await dispatcher.dispatch_once(now=STARTS - timedelta(hours=2))
        sent = await messages(client, session_id=session.session_id)
        listed = {
            role: await client.get(
                "/v1/messages",
                params={"patient_id": str(session.patient_id)},
                headers=bearer(role),
            )
            for role in Role
        }
        details = [
            await client.get(f"/v1/messages/{m['id']}", headers=bearer(Role.STOCK_MANAGER))
            for m in sent
        ]

    kinds = sorted((m["kind"], m["channel"], m["status"]) for m in sent)
    assert ("confirmation", "sms", "sent") in kinds
    assert ("reminder", "email", "sent") in kinds
    key = settings.patient_link_key.get_secret_value()
    written = {p.name: _text(p) for p in tmp_path.iterdir() if p.suffix in (".txt", ".eml")}
    for kind in ("confirmation", "reminder"):
        texts = [
            t
            for name, t in written.items()
            if any(name.startswith(m["id"]) for m in sent if m["kind"] == kind)
        ]
        assert len(texts) == 2, (kind, sorted(written))  # by SMS and by email
        for text in texts:
            token = LINK.search(text)
            assert token, text
            assert read_link(key, token.group(1)).course_id == session.course_id
    for answer in [*listed.values(), *details]:
        assert answer.status_code in (200, 403), answer.text
        assert "/p/" not in answer.text
        assert "Amelia" not in answer.text
