"""The dispatcher: sends due messages, once, from any number of replicas.

It emits no `notifications.message.*` events: no service binds them yet, so each would sit in
the outbox as unroutable. The message table and its attempts are the record.

Each round leases a batch (status `sending` with a lease expiry), then sends it in chunks: a
chunk is checked still wanted and sent concurrently, and each outcome is recorded as soon as its
send returns (outcomes that return together share one commit). A replica that dies mid-round
leaves its lease to lapse and another one takes the messages over: only a send that had returned
but whose commit had not yet finished can go twice. A message never goes after its session
started: it expires.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

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
CHUNK = 25


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
        # chunks in flight: enough to keep every send slot busy while one chunk records
        self._chunk_size = max(1, min(CHUNK, options.concurrency))
        self._chunks = asyncio.Semaphore(-(-options.concurrency // self._chunk_size) + 1)
        self._recorder = GroupCommit(self._record)

    async def dispatch_once(self, *, now: datetime) -> int:
        """Lease the messages due at `now` and try each once; how many were leased."""
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
        """Send the leased messages still wanted and record what became of each.

        Those expired or without consent are settled at once, without sending. The rest go in
        chunks: one statement checks, right before the chunk is sent, that its messages are
        still ours (not cancelled or moved since the lease), the chunk is sent concurrently, and
        each outcome is recorded the moment its send returns. A replica that dies mid-round can
        resend, once its lease lapses, only the sends that had returned and were waiting for
        their commit: the SMTP server or carrier had the message, our record did not.
        """
        settled: list[Result] = []
        to_send: list[tuple[sa.Row[Any], sa.Row[Any]]] = []
        for message, contact in batch:
            if message.expires_at is not None and now >= message.expires_at:
                settled.append(Result(message, {"status": "expired"}))
            elif contact is None or not reach_of_contact(contact).allows(message.channel):
                settled.append(Result(message, {"status": "cancelled", "last_error": "no consent"}))
            else:
                to_send.append((message, contact))
        if settled:
            await self._record(settled, now)
        size = self._chunk_size
        chunks = [to_send[i : i + size] for i in range(0, len(to_send), size)]
        outcomes = await asyncio.gather(
            *(self._deliver_chunk(chunk, now) for chunk in chunks), return_exceptions=True
        )
        for outcome in outcomes:  # every chunk has finished; now report the first failure
            if isinstance(outcome, BaseException):
                raise outcome

    async def _deliver_chunk(
        self, chunk: list[tuple[sa.Row[Any], sa.Row[Any]]], now: datetime
    ) -> None:
        async with self._chunks:
            async with self._runtime.db.session() as session, session.begin():
                wanted = await leases.still_ours(session, [message for message, _ in chunk])
            for message, _ in chunk:
                if message.id not in wanted:
                    log.info("message withdrawn", extra={"message_id": str(message.id)})
            sending = [(m, c) for m, c in chunk if m.id in wanted]
            outcomes = await asyncio.gather(
                *(self._send_one(m, c, now) for m, c in sending), return_exceptions=True
            )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def _send_one(self, message: sa.Row[Any], contact: sa.Row[Any], now: datetime) -> None:
        async with self._slots:
            attempt = await self._send(message, contact)
        await self._recorder.add(Result(message, self._after(message, attempt, now), attempt), now)

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
        """Record the outcomes in one transaction: the messages still ours, their attempts, and
        an alert for each failed one."""
        async with self._runtime.uow() as uow:
            ours = await leases.finish_many(
                uow.session, [(r.message, r.values) for r in results], now=now
            )
            recorded = [r for r in results if r.message.id in ours]
            await leases.record_attempts(
                uow.session,
                [
                    {
                        "message_id": r.message.id,
                        "number": r.message.attempts + 1,
                        "started_at": now,
                        "outcome": r.attempt.outcome,
                        "error": r.attempt.error,
                        "provider_id": r.attempt.provider_id,
                    }
                    for r in recorded
                    if r.attempt is not None
                ],
            )
            for r in recorded:
                if r.status == "failed" and r.attempt is not None:
                    await alert_failed_message(
                        uow, r.message, r.attempt.error, zone=self._clinic.zone, now=now
                    )
            await uow.commit()
        for r in recorded:  # the others' lease lapsed and another replica took them over
            log.info("message %s", r.status, extra={"message_id": str(r.message.id)})

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


class GroupCommit:
    """Records outcomes the moment they arrive, several to a commit when they arrive together.

    `add` returns once the outcome is committed. While one commit runs, the outcomes that arrive
    meanwhile wait for it and then go together in the next one, so a send's record waits for at
    most one other commit, and a burst of sends costs one transaction per commit, not one each.
    """

    def __init__(self, record: Callable[[list[Result], datetime], Awaitable[None]]) -> None:
        self._record = record
        self._waiting: list[tuple[Result, asyncio.Future[None]]] = []
        self._committing = asyncio.Lock()

    async def add(self, result: Result, now: datetime) -> None:
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((result, done))
        async with self._committing:
            if not done.done():  # not taken by the commit that just finished: take the queue
                batch, self._waiting = self._waiting, []
                try:
                    await self._record([r for r, _ in batch], now)
                except Exception as exc:
                    for _, waiter in batch:
                        waiter.set_exception(exc)
                except BaseException:  # cancelled while committing: the others stop waiting too
                    for _, waiter in batch:
                        waiter.cancel()
                    raise
                else:
                    for _, waiter in batch:
                        waiter.set_result(None)
        await done
