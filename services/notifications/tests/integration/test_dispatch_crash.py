"""A dispatcher that dies mid-send: what it had handed over is settled as sent, never sent
again; what it had not is sent again, once, by the next round."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from clinic_shared.contracts.events import SessionBooked
from clinic_testing.helpers import bearer, running
from notifications.adapters.channels import Delivery, Handover, Outgoing, no_handover

from .dispatching import Recorder, dispatcher, driven_app
from .events import T0, Session, envelope, messages, publish

AFTER_THE_LEASE = T0 + timedelta(minutes=3)  # the default lease is 2 minutes


class DyingChannel:
    """A provider that keeps what reaches it whole (`delivered`), on a channel whose process
    hangs, to be killed, before its last byte (`when="before"`) or after its hand-over
    (`"after"`)."""

    def __init__(self, when: str) -> None:
        self.when = when
        self.delivered: list[str] = []
        self.hanging = asyncio.Event()

    async def send(self, outgoing: Outgoing, handed_over: Handover = no_handover) -> Delivery:
        if self.when == "after":
            self.delivered.append(outgoing.message_id)  # the last byte went: the server has it
            await handed_over()
        self.hanging.set()
        await asyncio.Event().wait()  # killed here, before any answer is recorded
        raise AssertionError("unreachable")


@pytest.mark.parametrize("when", ["before", "after"])
async def test_a_dispatcher_killed_mid_send_leaves_each_message_delivered_exactly_once(
    make_settings, when: str
) -> None:
    dying, recorder = DyingChannel(when), Recorder()
    app = await driven_app(make_settings, recorder)
    session = Session()
    async with running(app) as client:
        await publish(app, envelope(session.contact(consent_sms=False)))
        await publish(app, envelope(SessionBooked(**session.facts())))
        killed = dispatcher(app, dying)  # type: ignore[arg-type]
        round_ = asyncio.create_task(killed.dispatch_once(now=T0))
        await asyncio.wait_for(dying.hanging.wait(), timeout=10)
        round_.cancel()  # SIGKILL: nothing after this point runs
        await asyncio.gather(round_, return_exceptions=True)

        taken_over = await dispatcher(app, recorder).dispatch_once(now=AFTER_THE_LEASE)
        [confirmation] = await messages(client, session_id=session.session_id, kind="confirmation")
        detail = await client.get(f"/v1/messages/{confirmation['id']}", headers=bearer("admin"))
    delivered = dying.delivered + [o.message_id for o in recorder.sent]
    attempts = detail.json()["attempts"]
    assert delivered == [confirmation["id"]]
    assert confirmation["status"] == "sent"
    assert [a["outcome"] for a in attempts] == ["sent"]
    if when == "after":
        assert taken_over == 0  # settled, not leased again
        assert "not sent again" in attempts[0]["error"]
    else:
        assert taken_over == 1
        assert attempts[0]["error"] is None
