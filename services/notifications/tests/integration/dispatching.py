"""A notifications app whose dispatcher the test drives, and a channel that records sends."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import FastAPI

from notifications.adapters.channels import Delivery, Handover, Outgoing, no_handover
from notifications.bootstrap import build_app
from notifications.entrypoints.workers import build_dispatcher
from notifications.service_layer.dispatch import Dispatcher
from notifications.settings import NotificationsSettings


class Recorder:
    """A channel that records what it is given; `failures` are raised first, one per send."""

    def __init__(self, *failures: Exception) -> None:
        self.sent: list[Outgoing] = []
        self.failures = list(failures)

    async def send(self, outgoing: Outgoing, handed_over: Handover = no_handover) -> Delivery:
        await asyncio.sleep(0)  # let other sends interleave, as network I/O would
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(outgoing)
        await handed_over()  # as a real channel does once the provider has the message
        # an id of the provider's shape: SM and 32 hex digits
        return Delivery(provider_id=f"SM{uuid.UUID(outgoing.message_id).hex}")


async def driven_app(make_settings: Any, recorder: Recorder, **overrides: Any) -> FastAPI:
    """The app without its dispatch loop: the test calls `dispatcher(app).dispatch_once`."""
    settings = await make_settings(NotificationsSettings, dispatch_enabled=False, **overrides)
    return build_app(settings, channels={"email": recorder, "sms": recorder})


def dispatcher(app: FastAPI, recorder: Recorder) -> Dispatcher:
    runtime = app.state.runtime
    return build_dispatcher(runtime, runtime.settings, {"email": recorder, "sms": recorder})
