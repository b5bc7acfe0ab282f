"""The inbox forgets events received longer ago than its retention, and only those."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from clinic_shared.contracts import Envelope
from clinic_shared.db import utcnow
from clinic_shared.outbox import claim
from clinic_shared.outbox.inbox import prune_inbox
from clinic_shared.settings import ServiceSettings
from clinic_shared.web import build_service_app
from clinic_testing.helpers import eventually, running

from .conftest import Harness, inbox, metadata, patient_event


async def _received(harness: Harness, *, hours_ago: float) -> Envelope:
    envelope = Envelope.wrap(patient_event(), producer="scheduling", correlation_id="c")
    async with harness.db.session() as session, session.begin():
        assert await claim(session, inbox, "notifications", envelope)
        await session.execute(
            sa.update(inbox)
            .where(inbox.c.event_id == str(envelope.id))
            .values(received_at=utcnow() - timedelta(hours=hours_ago))
        )
    return envelope


async def _kept(harness: Harness) -> set[str]:
    async with harness.db.session() as session:
        return set((await session.scalars(sa.select(inbox.c.event_id))).all())


async def test_inbox_rows_past_the_retention_are_pruned_and_recent_ones_still_deduplicate(
    harness: Harness,
) -> None:
    old = await _received(harness, hours_ago=2)
    recent = await _received(harness, hours_ago=0.5)

    assert await prune_inbox(harness.db, inbox, timedelta(hours=1)) == 1

    assert await _kept(harness) == {str(recent.id)}
    async with harness.db.session() as session, session.begin():
        assert not await claim(session, inbox, "notifications", recent)
        assert await claim(session, inbox, "notifications", old)


async def test_a_running_service_prunes_its_inbox_on_its_own(harness: Harness) -> None:
    settings = ServiceSettings(
        database_url=harness.db.url,
        run_migrations=False,
        inbox_retention_seconds=3600,
        inbox_prune_seconds=0.05,
    )
    app = build_service_app(
        settings,
        title="t",
        description="",
        metadata=metadata,
        migrations_location="unused",
        routers=[],
        bus=harness.bus,
    )
    async with running(app):
        old = await _received(harness, hours_ago=2)
        recent = await _received(harness, hours_ago=0)
        kept = await eventually(lambda: _kept(harness), until=lambda ids: str(old.id) not in ids)
    assert kept == {str(recent.id)}
