"""Reconciliation with scheduling: a session whose booking, move or cancellation never arrived
gets the messages its state calls for, once; facts older than the copy change nothing."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from clinic_shared.contracts.events import SessionBooked, SessionRescheduled
from clinic_shared.contracts.sessions import SessionState
from clinic_testing.fake_scheduling import FakeScheduling, fake_scheduling
from clinic_testing.helpers import bearer, running
from notifications.adapters.orm import messages

from .dispatching import Recorder, driven_app
from .events import STARTS, T0, Session, envelope, publish

ADMIN = bearer("admin")
LATER = STARTS + timedelta(days=2)


@pytest.fixture
async def scheduling() -> AsyncIterator[FakeScheduling]:
    async with fake_scheduling() as fake:
        yield fake


@pytest.fixture
async def app(make_settings, scheduling: FakeScheduling) -> AsyncIterator[FastAPI]:
    """Notifications at T0, reading the fake scheduling's sessions when asked to reconcile."""
    built = await driven_app(
        make_settings,
        Recorder(),
        scheduling_url=scheduling.url,
        reconcile_first_after_seconds=3600,
    )
    built.state.runtime.clock = lambda: T0
    async with running(built) as client:
        built.state.client = client
        yield built


def state(
    session: Session, status: str = "booked", *, starts_at: Any = STARTS, minutes: int = 1
) -> SessionState:
    """Scheduling's facts of the session, written `minutes` after T0."""
    return SessionState(
        **session.facts(starts_at), status=status, version=T0 + timedelta(minutes=minutes)
    )


async def reconcile(app: FastAPI) -> dict[str, Any]:
    answer = await app.state.client.post("/v1/admin/reconcile", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def planned(app: FastAPI, session: Session) -> list[tuple[str, str, Any]]:
    """(kind, channel, anchor) of the session's messages still to send."""
    async with app.state.runtime.db.session() as db:
        rows = await db.execute(
            sa.select(messages.c.kind, messages.c.channel, messages.c.anchor_at).where(
                messages.c.session_id == session.session_id, messages.c.status == "scheduled"
            )
        )
        return sorted((r.kind, r.channel, r.anchor_at) for r in rows)


async def test_a_booking_whose_event_was_lost_gets_its_messages_once(
    app: FastAPI, scheduling: FakeScheduling
) -> None:
    session = Session()
    await publish(app, envelope(session.contact(consent_email=False)))
    scheduling.put(state(session))

    first = await reconcile(app)
    messages_after_first = await planned(app, session)
    again = await reconcile(app)

    assert (first["found"], first["repaired"]) == ({"missing": 1}, {"missing": 1})
    assert (again["found"], again["repaired"]) == ({}, {})
    kinds = [kind for kind, _, _ in messages_after_first]
    assert kinds.count("confirmation") == 1
    assert "reminder" in kinds
    assert len(kinds) == len(set(messages_after_first))
    assert await planned(app, session) == messages_after_first


async def test_a_session_whose_move_was_lost_is_reminded_at_its_new_time_only(
    app: FastAPI, scheduling: FakeScheduling
) -> None:
    session = Session()
    await publish(app, envelope(session.contact(consent_email=False)))
    await publish(app, envelope(SessionBooked(**session.facts())))
    scheduling.put(state(session, starts_at=LATER, minutes=5))

    report = await reconcile(app)

    assert report["repaired"] == {"moved": 1}
    reminders = [m for m in await planned(app, session) if m[0] == "reminder"]
    assert reminders
    assert {anchor for _, _, anchor in reminders} == {LATER}


async def test_a_cancelled_session_is_no_longer_reminded(
    app: FastAPI, scheduling: FakeScheduling
) -> None:
    session = Session()
    await publish(app, envelope(session.contact(consent_email=False)))
    await publish(app, envelope(SessionBooked(**session.facts())))
    scheduling.put(state(session, "cancelled", minutes=5))

    report = await reconcile(app)

    assert report["repaired"] == {"cancelled_still_booked": 1}
    assert [m for m in await planned(app, session) if m[0] == "reminder"] == []


async def test_facts_older_than_the_copy_are_found_but_never_applied(
    app: FastAPI, scheduling: FakeScheduling
) -> None:
    session = Session()
    await publish(app, envelope(session.contact(consent_email=False)))
    await publish(app, envelope(SessionBooked(**session.facts())))
    moved = SessionRescheduled(**session.facts(LATER), previous_starts_at=STARTS)
    await publish(app, envelope(moved, T0 + timedelta(minutes=10)))
    scheduling.put(state(session, minutes=5))

    report = await reconcile(app)

    assert (report["found"], report["repaired"]) == ({"moved": 1}, {})
    reminders = [m for m in await planned(app, session) if m[0] == "reminder"]
    assert {anchor for _, _, anchor in reminders} == {LATER}


async def test_counts_show_on_readyz_and_metrics_and_scheduling_down_is_a_503(
    app: FastAPI, scheduling: FakeScheduling
) -> None:
    session = Session()
    await publish(app, envelope(session.contact(consent_email=False)))
    scheduling.put(state(session))
    await reconcile(app)

    ready = await app.state.client.get("/readyz", headers=ADMIN)
    metrics = await app.state.client.get("/metrics")
    scheduling.status = 500
    down = await app.state.client.post("/v1/admin/reconcile", headers=ADMIN)

    shown = ready.json()["checks"]["reconciliation"]
    assert (shown["found"], shown["repaired"]) == ({"missing": 1}, {"missing": 1})
    assert 'clinic_reconcile_drift_total{kind="missing",outcome="repaired"} 1.0' in metrics.text
    assert down.status_code == 503
    assert (down.headers["content-type"], down.json()["service"]) == (
        "application/problem+json",
        "scheduling",
    )


async def test_the_command_line_reconciles_and_prints_the_report(
    app: FastAPI, scheduling: FakeScheduling
) -> None:
    session = Session()
    await publish(app, envelope(session.contact(consent_email=False)))
    # The command line runs on the real clock, where only a session still to come is repaired.
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    scheduling.put(state(session, starts_at=soon))
    settings = app.state.runtime.settings
    env = os.environ | {
        "NOTIFICATIONS_DATABASE_URL": settings.database_url,
        "NOTIFICATIONS_SCHEDULING_URL": scheduling.url,
        "CLINIC_LOG_LEVEL": "WARNING",
    }
    env.pop("AMQP_URL", None)

    command = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "notifications.reconcile", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await command.communicate()

    assert command.returncode == 0, err.decode()
    report = json.loads(out)
    assert (report["found"], report["repaired"]) == ({"missing": 1}, {"missing": 1})
    assert [kind for kind, _, _ in await planned(app, session)].count("confirmation") == 1
