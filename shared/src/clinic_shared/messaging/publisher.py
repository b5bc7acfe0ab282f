"""The bus's publishing channel: publisher confirms, and a fresh channel when confirms stop.

After a quorum queue's leader dies, a channel that reconnected to another node can be nacked on
every publish for tens of seconds while the queue already has a new leader and fresh channels are
confirmed at once (issue 16's three-node runs). So a run of nacks, or a confirm that does not come
in time, replaces the channel; if no new channel opens either, the connection starts over. The
messages that were not confirmed are the caller's to publish again (the outbox keeps them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import aio_pika
import aiormq
from aio_pika.abc import AbstractRobustChannel, AbstractRobustConnection, AbstractRobustExchange
from aio_pika.exceptions import DeliveryError

from clinic_shared.messaging.bus import PublishError, UnroutableError

log = logging.getLogger(__name__)

NACK_RUN = 5
"""Consecutive nacks that mean the channel is stuck rather than one message refused (a batch of
publishes in flight on a stuck channel is nacked all at once, so the run is reached at once)."""

Declare = Callable[[AbstractRobustChannel], Awaitable[AbstractRobustExchange]]
"""Declares the topology on a new channel and returns the exchange to publish to."""


class Publisher:
    def __init__(
        self, connection: AbstractRobustConnection, declare: Declare, *, timeout: float
    ) -> None:
        self._connection = connection
        self._declare = declare
        self._timeout = timeout
        self._channel: AbstractRobustChannel | None = None
        self._exchange: AbstractRobustExchange | None = None
        self._nacks = 0  # consecutive, on the current channel
        self._reopening = asyncio.Lock()
        self._reconnecting: asyncio.Future[None] | None = None
        self.channel_reopens = 0
        self.connection_reopens = 0

    @property
    def channel(self) -> AbstractRobustChannel:
        if self._channel is None:
            raise PublishError("bus is not connected")
        return self._channel

    async def open(self) -> None:
        """Open a confirming channel and declare the topology on it (robustly: it is declared
        again whenever the connection comes back)."""
        channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        try:
            exchange = await self._declare(channel)
        except BaseException:
            await _close_quietly(channel, self._timeout)
            raise
        self._channel, self._exchange, self._nacks = channel, exchange, 0

    async def publish(self, message: aio_pika.Message, routing_key: str, *, direct: bool) -> None:
        """Publish to the events exchange, or straight to a queue when `direct`; wait for the
        broker's confirm and raise PublishError (UnroutableError) when it does not come."""
        if self._reopening.locked():
            async with self._reopening:  # then publish on the new channel, not the stuck one
                pass
        channel = self.channel
        exchange = channel.default_exchange if direct else self._exchange
        assert exchange is not None
        try:
            await exchange.publish(
                message, routing_key=routing_key, mandatory=True, timeout=self._timeout
            )
        except aiormq.exceptions.PublishError as exc:  # the broker returned it: no queue bound
            raise UnroutableError(f"unroutable: {routing_key}") from exc
        except DeliveryError as exc:  # the broker nacked it
            await self._nacked(channel)
            raise PublishError(f"not confirmed: {routing_key}") from exc
        except TimeoutError as exc:
            await self.reopen(channel, "confirm timeout")
            raise PublishError(f"not confirmed in {self._timeout}s: {routing_key}") from exc
        except (aio_pika.exceptions.AMQPError, ConnectionError, RuntimeError) as exc:
            raise PublishError(f"publish failed: {exc!r}") from exc
        except asyncio.CancelledError as exc:
            if _being_cancelled():
                raise
            # aiormq cancels the publishes in flight when their connection closes under them.
            raise PublishError("publish failed: its connection closed") from exc
        if channel is self._channel:
            self._nacks = 0

    async def _nacked(self, channel: AbstractRobustChannel) -> None:
        if channel is not self._channel:
            return  # nacked on a channel already replaced
        self._nacks += 1
        if self._nacks >= NACK_RUN:
            await self.reopen(channel, f"{self._nacks} consecutive nacks")

    async def reopen(self, stuck: AbstractRobustChannel, reason: str) -> None:
        """Replace `stuck` by a new channel; if none opens in time, start the connection over."""
        async with self._reopening:
            if stuck is not self._channel or self._reconnecting is not None:
                return  # replaced by a concurrent failure, or the connection starts over
            if not self._connection.connected.is_set():
                return  # the robust connection is reconnecting: it restores the channel itself
            try:
                async with asyncio.timeout(self._timeout):
                    await self.open()
            except Exception as exc:
                self._reconnect(reason, exc)
                return
            self.channel_reopens += 1
            log.warning(
                "publisher channel reopened",
                extra={"reason": reason, "channel_reopens": self.channel_reopens},
            )
        await _close_quietly(stuck, self._timeout)

    def _reconnect(self, reason: str, exc: Exception) -> None:
        """Start the connection over in the background (closing a connection whose peer no longer
        answers takes seconds, reconnecting as long as the broker is away); the robust connection
        then restores every channel on it, this one included, each on a fresh AMQP channel."""
        self.connection_reopens += 1
        log.warning(
            "publisher channel did not reopen; reconnecting",
            extra={
                "reason": reason,
                "error": repr(exc)[:300],
                "connection_reopens": self.connection_reopens,
            },
        )
        self._nacks = 0
        self._reconnecting = asyncio.ensure_future(self._connection.reconnect())
        self._reconnecting.add_done_callback(self._reconnected)

    def _reconnected(self, task: asyncio.Future[None]) -> None:
        self._reconnecting = None
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.warning("reconnecting failed", extra={"error": repr(exc)[:300]})

    async def close(self) -> None:
        """Stop a reconnection in progress (the caller closes the connection)."""
        if self._reconnecting is not None:
            self._reconnecting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reconnecting


def _being_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def _close_quietly(channel: AbstractRobustChannel, within: float) -> None:
    """Close a channel that may no longer answer; its unconfirmed publishes fail."""
    with contextlib.suppress(Exception):
        async with asyncio.timeout(within):
            await channel.close()
