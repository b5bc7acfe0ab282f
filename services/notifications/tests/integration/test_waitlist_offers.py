"""A freed slot offered to a waitlisted patient becomes a `waitlist_offer` message by each
consented channel, after quiet hours and before the offer expires, with the offer's own link."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from clinic_shared.contracts.events import WaitlistOffered
from clinic_shared.patient_links import InvalidLink, read_link, read_offer_link
from clinic_testing.helpers import running
from notifications.bootstrap import build_app
from notifications.entrypoints.workers import build_channels, build_dispatcher
from notifications.settings import NotificationsSettings

from .events import STARTS, T0, Session, envelope, messages, publish
from .test_patient_links import BASE, LINK, _text


def _offer(session: Session, expires_at: datetime) -> WaitlistOffered:
    return WaitlistOffered(
        offer_id=uuid.uuid4(),
        course_id=session.course_id,
        patient_id=session.patient_id,
        practitioner_id=uuid.uuid4(),
        treatment_code="cellulite-thighs",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(minutes=30),
        expires_at=expires_at,
    )


async def test_an_offer_goes_by_each_consented_channel_with_its_link(
    make_settings, tmp_path: Path
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
    offered = _offer(session, T0 + timedelta(hours=2))
    async with running(app) as client:
        await publish(app, envelope(session.contact(language="fr", consent_sms=False)))
        await publish(app, envelope(offered), envelope(offered))  # a redelivery: one message
        await build_dispatcher(app.state.runtime, settings, channels).dispatch_once(now=T0)
        sent = await messages(client, kind="waitlist_offer")

    assert [(m["channel"], m["status"], m["course_id"]) for m in sent] == [
        ("email", "sent", str(session.course_id))
    ]
    assert sent[0]["expires_at"] == "2026-06-01T11:00:00Z"
    [text] = [_text(p) for p in tmp_path.iterdir() if p.name.startswith(sent[0]["id"])]
    assert "une place s'est libérée le mercredi 10 juin à 10h00" in text
    token = LINK.search(text)
    assert token, text
    key = settings.patient_link_key.get_secret_value()
    assert read_offer_link(key, token.group(1)).offer_id == offered.offer_id
    with pytest.raises(InvalidLink):  # never taken for a course's link
        read_link(key, token.group(1))


async def test_an_offer_at_night_waits_for_quiet_hours_to_end_unless_it_expires_first(
    make_settings,
) -> None:
    app = build_app(await make_settings(NotificationsSettings, dispatch_enabled=False))
    night = datetime(2026, 6, 1, 21, 0, tzinfo=UTC)  # 23:00 in Paris
    kept, lapsed = Session(), Session()
    async with running(app) as client:
        for session in (kept, lapsed):
            await publish(app, envelope(session.contact()))
        tomorrow = _offer(kept, datetime(2026, 6, 2, 10, 0, tzinfo=UTC))
        tonight = _offer(lapsed, night + timedelta(hours=1))
        await publish(app, envelope(tomorrow, night), envelope(tonight, night))
        waiting = await messages(client, kind="waitlist_offer", patient_id=kept.patient_id)
        none = await messages(client, kind="waitlist_offer", patient_id=lapsed.patient_id)

    assert sorted((m["channel"], m["scheduled_for"]) for m in waiting) == [
        ("email", "2026-06-02T06:00:00Z"),  # 08:00 in Paris, when quiet hours end
        ("sms", "2026-06-02T06:00:00Z"),
    ]
    assert none == []
