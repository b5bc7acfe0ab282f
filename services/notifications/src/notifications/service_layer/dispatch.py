"""The dispatcher: sends due messages, once, from any number of replicas.

It emits no `notifications.message.*` events: no service binds them yet, so each would sit in
the outbox as unroutable. The message table and its attempts are the record.

Each round leases a batch (status `sending` with a lease expiry), then sends it in chunks: a
chunk is checked still wanted and sent concurrently. Each send commits its hand-over the
moment the provider has the whole message (SMTP's closing dot, the SMS API request's last byte
written), while the provider's answer is awaited; its outcome is recorded when the send
returns. Hand-overs and outcomes that come together share one commit.

A replica that dies mid-round leaves its lease to lapse. Another one then sends again the
messages it had not handed over (the provider dropped their unfinished transfer) and settles
as sent those it had. Only a death between a message's last byte and its hand-over's commit
sends it twice: delivery is at-least-once, and never lost. A message never goes after its
session started: it expires.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

from clinic_shared.db import database_unavailable
from clinic_shared.runtime import ServiceRuntime
from notifications.adapters.channels import (
    Channels,
    PermanentSendError,
    TransientSendError,
)
from notifications.adapters.leases import ContactRow, Leased, MessageRow, hand_over_at_once
from notifications.adapters.templates import Templates
from notifications.domain.delivery import after_attempt
from notifications.domain.sms import segments
from notifications.service_layer.alerts import alert_failed_message
from notifications.service_layer.attempts import (
    Attempt,
    DispatchOptions,
    Result,
    reach_of_contact,
)
from notifications.service_layer.quiet_hours import hold_in_quiet_hours
from notifications.service_layer.rendering import Clinic, outgoing_for
from notifications.service_layer.scope import open_scope

log = logging.getLogger(__name__)
CHUNK = 25
T = TypeVar("T")
R = TypeVar("R")
RECORD_RETRY_SECONDS = 0.2


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
        self._templates = Templates(max_sms_segments=options.max_sms_segments)
        self._slots = asyncio.Semaphore(options.concurrency)
        # chunks in flight: enough to keep every send slot busy while one chunk records
        self._chunk_size = max(1, min(CHUNK, options.concurrency))
        self._chunks = asyncio.Semaphore(-(-options.concurrency // self._chunk_size) + 1)
        self._recorder: GroupCommit[Result, None] = GroupCommit(self._record_until_done)
        self._handovers: GroupCommit[MessageRow, None] = GroupCommit(self._hand_over)

    async def dispatch_once(self, *, now: datetime) -> int:
        """Lease the messages due at `now` and try each once; how many were leased."""
        batch = await self.lease(now=now)
        await self.deliver(batch, now=now)
        return len(batch)

    async def lease(self, *, now: datetime) -> list[Leased]:
        """Take the messages due at `now` (status `sending` under a fresh lease); those due in
        quiet hours wait for their end instead, or are dropped when their session starts first.
        """
        async with open_scope(self._runtime, now=now) as scope:
            settled = await scope.leases.settle_handed_over(now=now)
            leased = await scope.leases.lease_due(
                now=now, limit=self._options.batch_size, lease_for=self._options.lease_for
            )
            if leased:
                leased = await hold_in_quiet_hours(scope, leased)
            await scope.uow.commit()
        for row in settled:
            log.info("message sent, unconfirmed", extra={"message_id": str(row.id)})
        return leased

    async def deliver(self, batch: list[Leased], *, now: datetime) -> None:
        """Send the leased messages still wanted and record what became of each.

        Those expired or without consent are settled at once, without sending. The rest go in
        chunks: one statement checks, right before the chunk is sent, that its messages are
        still ours (not cancelled or moved since the lease), the chunk is sent concurrently, and
        each outcome is recorded the moment its send returns. A replica that dies mid-round can
        resend, once its lease lapses, only the sends that had returned and were waiting for
        their commit: the SMTP server or carrier had the message, our record did not.
        """
        settled: list[Result] = []
        to_send: list[tuple[MessageRow, ContactRow]] = []
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
        self, chunk: list[tuple[MessageRow, ContactRow]], now: datetime
    ) -> None:
        async with self._chunks:
            async with open_scope(self._runtime, now=now) as scope:
                wanted = await scope.leases.still_ours([message for message, _ in chunk])
                await scope.uow.commit()
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

    async def _send_one(self, message: MessageRow, contact: ContactRow, now: datetime) -> None:
        async with self._slots:
            attempt = await self._send(message, contact, now)
        await self._recorder.add(Result(message, self._after(message, attempt, now), attempt), now)

    async def _send(self, message: MessageRow, contact: ContactRow, now: datetime) -> Attempt:
        outgoing = outgoing_for(message, contact, clinic=self._clinic, templates=self._templates)

        async def handed_over() -> None:
            await self._handovers.add(message, now)

        parts = segments(outgoing.text) if message.channel == "sms" else None
        try:
            return Attempt(
                "sent",
                await self._channels[message.channel].send(outgoing, handed_over),
                segments=parts,
            )
        except PermanentSendError as exc:
            return Attempt("permanent", error=str(exc)[:500])
        except TransientSendError as exc:
            return Attempt("transient", error=str(exc)[:500])
        except Exception as exc:  # an unknown failure is worth another try, not a lost message
            log.warning("send failed", extra={"message_id": str(message.id)}, exc_info=True)
            return Attempt("transient", error=type(exc).__name__)

    def _after(self, message: MessageRow, attempt: Attempt, now: datetime) -> dict[str, Any]:
        """The message's columns after this attempt: sent, retried later, or failed. A message
        staff sent again is judged on its tries since."""
        number = message.attempts + 1
        step = after_attempt(
            attempt.outcome,
            attempts=number - message.attempts_before_resend,
            now=now,
            expires_at=message.expires_at,
            policy=self._options.retry,
        )
        values: dict[str, Any] = {"status": step.status, "attempts": number}
        if step.status == "sent":
            values |= {"sent_at": now, "provider_id": attempt.provider_id, "last_error": None}
            values["segments"] = attempt.segments
        else:  # the provider refused it or never answered: the next try hands it over anew
            values |= {"last_error": attempt.error, "handed_over_at": None}
        if step.due_at is not None:
            values["due_at"] = step.due_at
        return values

    async def _record_until_done(self, results: list[Result], now: datetime) -> None:
        """Record sends that went out, through a database outage if need be."""
        await self._until_done(lambda: self._record(results, now), "recording sends")

    async def _until_done(self, work: Callable[[], Awaitable[None]], what: str) -> None:
        """Do `work`; through a database outage, try again for up to half the lease. Giving up
        lets the lease lapse and the message go again: a duplicate, so it is the last resort."""
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self._options.lease_for.total_seconds() / 2
        pause = RECORD_RETRY_SECONDS
        while True:
            try:
                return await work()
            except Exception as exc:
                if not database_unavailable(exc) or loop.time() + pause > give_up_at:
                    raise
                log.warning("%s: database unavailable, trying again", what)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 5.0)

    async def _hand_over(self, leased: list[MessageRow], now: datetime) -> None:
        """Commit that these messages are with their provider (those still ours)."""
        await self._until_done(
            lambda: hand_over_at_once(self._runtime.db, leased, now=now),
            "marking sends handed over",
        )

    async def _record(self, results: list[Result], now: datetime) -> None:
        """Record the outcomes in one transaction: the messages still ours, their attempts, and
        an alert for each failed one."""
        async with open_scope(self._runtime, now=now) as scope:
            ours = await scope.leases.finish_many([(r.message, r.values) for r in results], now=now)
            recorded = [r for r in results if r.message.id in ours]
            await scope.leases.record_attempts(
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
                    await alert_failed_message(scope, r.message, r.attempt.error)
            await scope.uow.commit()
        for r in recorded:  # the others' lease lapsed and another replica took them over
            log.info("message %s", r.status, extra={"message_id": str(r.message.id)})


class GroupCommit(Generic[T, R]):
    """Commits items the moment they arrive, several to a commit when they arrive together.

    `add` returns the commit's result once the item is committed. While one commit runs, the
    items that arrive meanwhile wait for it and then go together in the next one, so an item
    waits for at most one other commit, and a burst costs one transaction per commit, not one
    per item.
    """

    def __init__(self, commit: Callable[[list[T], datetime], Awaitable[R]]) -> None:
        self._commit = commit
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._committing = asyncio.Lock()

    async def add(self, item: T, now: datetime) -> R:
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        async with self._committing:
            if not done.done():  # not taken by the commit that just finished: take the queue
                batch, self._waiting = self._waiting, []
                try:
                    result = await self._commit([i for i, _ in batch], now)
                except Exception as exc:
                    for _, waiter in batch:
                        waiter.set_exception(exc)
                except BaseException:  # cancelled while committing: the others stop waiting too
                    for _, waiter in batch:
                        waiter.cancel()
                    raise
                else:
                    for _, waiter in batch:
                        waiter.set_result(result)
        return await done
