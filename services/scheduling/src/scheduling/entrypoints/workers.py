"""Background loops scheduling runs beside its API."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from clinic_shared.runtime import ServiceRuntime, Worker
from scheduling.service_layer.nudges import emit_due_nudges
from scheduling.service_layer.scope import open_scope
from scheduling.settings import SchedulingSettings

log = logging.getLogger(__name__)


def build_workers(settings: SchedulingSettings) -> list[Worker]:
    return [nudge_worker(settings.nudge_interval_seconds, settings.nudge_lead_days)]


async def nudge_once(runtime: ServiceRuntime, lead_days: int, *, now: datetime) -> int:
    """Emit the rebooking nudges due at `now` and commit them; how many were emitted."""
    async with open_scope(runtime, now=now) as scope:
        emitted = await emit_due_nudges(scope, lead_days)
        await scope.uow.commit()
    return emitted


def nudge_worker(interval_seconds: float, lead_days: int) -> Worker:
    """Look for due nudges every `interval_seconds`, surviving a failed scan; return as soon as
    the service is stopping."""

    async def run(runtime: ServiceRuntime) -> None:
        while True:
            try:
                await nudge_once(runtime, lead_days, now=runtime.clock())
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("rebooking nudge scan failed")
            if not await runtime.idle(interval_seconds):
                return

    return run
