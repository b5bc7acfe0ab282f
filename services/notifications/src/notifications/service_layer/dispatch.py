"""The dispatcher: sends due messages, once, from any number of replicas.

It emits no `notifications.message.*` events: no service binds them yet, so each would sit in
the outbox as unroutable. The message table and its attempts are the record.

Each round leases a batch (status `sending` with a lease expiry), then sends each message and
records the attempt. A replica that dies mid-round leaves its lease to lapse and another one
takes the messages over. A message never goes after its session started: it expires.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from clinic_shared.runtime import ServiceRuntime
from notifications.adapters import leases
from notifications.adapters.channels import (
    Channels,
    Delivery,
    PermanentSendError,
    TransientSendError,
)
from notifications.adapters.templates import Templates
from notifications.domain.delivery import Outcome, RetryPolicy, after_attempt
from notifications.domain.planning import Reach
from notifications.service_layer.alerts import alert_failed_message
from notifications.service_layer.rendering import Clinic, outgoing_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DispatchOptions:
    batch_size: int = 50
    concurrency: int = 10
    lease_for: timedelta = timedelta(minutes=2)
    poll_seconds: float = 5.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    delivery: Delivery | None = None
    error: str | None = None


class Dispatcher:
    def __init__(
        self,
        runtime: ServiceRuntime,
        channels: Channels,
        *,
        clinic: Clinic,
        options: DispatchOptions,
    ) -> None:
        self._runtime = runtime
        self._channels = channels
        self._clinic = clinic
        self._options = options
        self._templates = Templates()
        self._slots = asyncio.Semaphore(options.concurrency)

    async def dispatch_once(self, *, now: datetime) -> int:
        """Lease the messages due at `now` and try each once; how many were leased."""
        async with self._runtime.db.session() as session, session.begin():
            batch = await leases.lease_due(
                session, now=now, limit=self._options.batch_size, lease_for=self._options.lease_for
            )
        await asyncio.gather(*(self._deliver(message, contact, now) for message, contact in batch))
        return len(batch)

    async def _deliver(
        self, message: sa.Row[Any], contact: sa.Row[Any] | None, now: datetime
    ) -> None:
        async with self._slots:
            if message.expires_at is not None and now >= message.expires_at:
                await self._close(message, now, status="expired")
                return
            if contact is None or not _reach(contact).allows(message.channel):
                await self._close(message, now, status="cancelled", last_error="no consent")
                return
            attempt = await self._send(message, contact)
            await self._record(message, attempt, now)

    async def _send(self, message: sa.Row[Any], contact: sa.Row[Any]) -> Attempt:
        outgoing = outgoing_for(message, contact, clinic=self._clinic, templates=self._templates)
        try:
            return Attempt("sent", await self._channels[message.channel].send(outgoing))
        except PermanentSendError as exc:
            return Attempt("permanent", error=str(exc)[:500])
        except TransientSendError as exc:
            return Attempt("transient", error=str(exc)[:500])
        except Exception as exc:  # an unknown failure is worth another try, not a lost message
            log.warning("send failed", extra={"message_id": str(message.id)}, exc_info=True)
            return Attempt("transient", error=type(exc).__name__)

    async def _record(self, message: sa.Row[Any], attempt: Attempt, now: datetime) -> None:
        number = message.attempts + 1
        step = after_attempt(
            attempt.outcome,
            attempts=number,
            now=now,
            expires_at=message.expires_at,
            policy=self._options.retry,
        )
        provider_id = attempt.delivery.provider_id if attempt.delivery else None
        values: dict[str, Any] = {"status": step.status, "attempts": number}
        if step.status == "sent":
            values |= {"sent_at": now, "provider_id": provider_id, "last_error": None}
        else:
            values |= {"last_error": attempt.error}
        if step.due_at is not None:
            values["due_at"] = step.due_at
        async with self._runtime.uow() as uow:
            if not await leases.finish(uow.session, message, now=now, **values):
                return
            if step.status == "failed":
                await alert_failed_message(
                    uow, message, attempt.error, zone=self._clinic.zone, now=now
                )
            await leases.record_attempt(
                uow.session,
                message.id,
                number=number,
                started_at=now,
                outcome=attempt.outcome,
                error=attempt.error,
                provider_id=provider_id,
            )
            await uow.commit()
        log.info("message %s", step.status, extra={"message_id": str(message.id)})

    async def _close(self, message: sa.Row[Any], now: datetime, **values: Any) -> None:
        async with self._runtime.uow() as uow:
            if await leases.finish(uow.session, message, now=now, **values):
                await uow.commit()
        log.info("message %s", values["status"], extra={"message_id": str(message.id)})

    async def run(self) -> None:
        """Dispatch until cancelled; survive database and channel outages."""
        while True:
            try:
                leased = await self.dispatch_once(now=self._runtime.clock())
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("dispatch round failed")
                leased = 0
            if leased < self._options.batch_size:
                await asyncio.sleep(self._options.poll_seconds)


def _reach(contact: sa.Row[Any]) -> Reach:
    return Reach(
        phone=contact.phone,
        email=contact.email,
        preferred_channel=contact.preferred_channel,
        consent_sms=contact.consent_sms,
        consent_email=contact.consent_email,
    )
