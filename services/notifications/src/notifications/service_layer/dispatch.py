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
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from clinic_shared.outbox import UnitOfWork
from clinic_shared.runtime import ServiceRuntime
from notifications.adapters import leases
from notifications.adapters.channels import (
    Channels,
    PermanentSendError,
    TransientSendError,
)
from notifications.adapters.templates import Templates
from notifications.domain.delivery import after_attempt
from notifications.service_layer.alerts import alert_failed_message
from notifications.service_layer.attempts import (
    Attempt,
    DispatchOptions,
    Result,
    reach_of_contact,
)
from notifications.service_layer.rendering import Clinic, outgoing_for

log = logging.getLogger(__name__)
RECORD_EVERY = 10


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
        """Lease the messages due at `now` and try each once; how many were leased.

        Outcomes are recorded as sends finish, a few per transaction: a replica that dies
        mid-round can resend at most those few in flight once its lease lapses.
        """
        batch = await self.lease(now=now)
        await self.deliver(batch, now=now)
        return len(batch)

    async def lease(self, *, now: datetime) -> list[leases.Leased]:
        """Take the messages due at `now` (status `sending` under a fresh lease)."""
        async with self._runtime.db.session() as session, session.begin():
            return await leases.lease_due(
                session, now=now, limit=self._options.batch_size, lease_for=self._options.lease_for
            )

    async def deliver(self, batch: list[leases.Leased], *, now: datetime) -> None:
        """Send the leased messages still wanted and record what became of each."""
        pending = [self._deliver(message, contact, now) for message, contact in batch]
        done: list[Result] = []
        for finished in asyncio.as_completed(pending):
            result = await finished
            if result is None:
                continue
            done.append(result)
            if len(done) >= RECORD_EVERY:
                await self._record(done, now)
                done = []
        if done:
            await self._record(done, now)

    async def _still_wanted(self, message: sa.Row[Any]) -> bool:
        """Whether the message is still ours to send: a cancel or a reschedule since the lease
        has cancelled it (or moved it back to `scheduled`), and then it must not go."""
        async with self._runtime.db.session() as session, session.begin():
            return message.id in await leases.still_ours(session, [message])

    async def _deliver(
        self, message: sa.Row[Any], contact: sa.Row[Any] | None, now: datetime
    ) -> Result | None:
        """What became of the message; None when it was no longer ours to send."""
        if message.expires_at is not None and now >= message.expires_at:
            return Result(message, {"status": "expired"})
        if contact is None or not reach_of_contact(contact).allows(message.channel):
            return Result(message, {"status": "cancelled", "last_error": "no consent"})
        async with self._slots:
            if not await self._still_wanted(message):
                log.info("message withdrawn before sending", extra={"message_id": str(message.id)})
                return None
            attempt = await self._send(message, contact)
        return Result(message, self._after(message, attempt, now), attempt)

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

    def _after(self, message: sa.Row[Any], attempt: Attempt, now: datetime) -> dict[str, Any]:
        """The message's columns after this attempt: sent, retried later, or failed."""
        number = message.attempts + 1
        step = after_attempt(
            attempt.outcome,
            attempts=number,
            now=now,
            expires_at=message.expires_at,
            policy=self._options.retry,
        )
        values: dict[str, Any] = {"status": step.status, "attempts": number}
        if step.status == "sent":
            values |= {"sent_at": now, "provider_id": attempt.provider_id, "last_error": None}
        else:
            values |= {"last_error": attempt.error}
        if step.due_at is not None:
            values["due_at"] = step.due_at
        return values

    async def _record(self, results: list[Result], now: datetime) -> None:
        async with self._runtime.uow() as uow:
            for result in results:
                await self._record_one(uow, result, now)
            await uow.commit()
        for result in results:
            log.info("message %s", result.status, extra={"message_id": str(result.message.id)})

    async def _record_one(self, uow: UnitOfWork, result: Result, now: datetime) -> None:
        message, attempt = result.message, result.attempt
        if not await leases.finish(uow.session, message, now=now, **result.values):
            return  # the lease lapsed and another replica took the message over
        if attempt is None:
            return
        await leases.record_attempt(
            uow.session,
            message.id,
            number=message.attempts + 1,
            started_at=now,
            outcome=attempt.outcome,
            error=attempt.error,
            provider_id=attempt.provider_id,
        )
        if result.status == "failed":
            await alert_failed_message(uow, message, attempt.error, zone=self._clinic.zone, now=now)

    async def run(self) -> None:
        """Dispatch until the service stops; survive database and channel outages."""
        while not self._runtime.stopping.is_set():
            try:
                leased = await self.dispatch_once(now=self._runtime.clock())
            except Exception:
                log.exception("dispatch round failed")
                leased = 0
            if leased < self._options.batch_size:
                await self._runtime.idle(self._options.poll_seconds)
