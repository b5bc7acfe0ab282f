"""RabbitMQ bus over aio-pika: robust connection, confirms, quorum queues, delayed retry, DLQ."""

from __future__ import annotations

import logging
from collections import Counter

import aio_pika
from aio_pika.abc import (
    AbstractIncomingMessage,
    AbstractRobustChannel,
    AbstractRobustConnection,
    AbstractRobustExchange,
)

from clinic_shared.contracts import Envelope
from clinic_shared.db import database_unavailable
from clinic_shared.errors import PermanentMessageError
from clinic_shared.messaging import topology
from clinic_shared.messaging.bus import BusHealth, BusOptions, Handler, PublishError
from clinic_shared.messaging.migration import retire_classic_retry_queues
from clinic_shared.messaging.publisher import Publisher

log = logging.getLogger(__name__)
ATTEMPT_HEADER = "x-clinic-attempt"


class RabbitBus:
    def __init__(
        self, url: str, options: BusOptions | None = None, *, name: str = "clinic"
    ) -> None:
        self.url = url
        self.options = options or BusOptions()
        self.name = name
        self._connection: AbstractRobustConnection | None = None
        self._publisher: Publisher | None = None
        self._consumer_channels: dict[str, AbstractRobustChannel] = {}
        self.retried: Counter[str] = Counter()  # by consumer, for /metrics
        self.dead_lettered: Counter[str] = Counter()

    @property
    def channel_reopens(self) -> int:
        """Publisher channels replaced because the broker stopped confirming on them."""
        return self._publisher.channel_reopens if self._publisher else 0

    @property
    def connection_reopens(self) -> int:
        """Connections started over because no new publisher channel would open."""
        return self._publisher.connection_reopens if self._publisher else 0

    def _names(self, consumer: str) -> tuple[str, str, str]:
        ns = self.options.namespace
        return (
            topology.queue_name(ns, consumer),
            topology.retry_queue_name(ns, consumer),
            topology.dead_letter_queue_name(ns, consumer),
        )

    async def connect(self) -> None:
        if self._connection is not None:
            return
        self._connection = await aio_pika.connect_robust(
            self.url,
            reconnect_interval=1.0,
            client_properties={"connection_name": self.name},
        )
        self._publisher = Publisher(
            self._connection, self._declare_topology, timeout=self.options.publish_timeout_seconds
        )
        await self._publisher.open()
        await self._retire_classic_retry_queues()

    async def _retire_classic_retry_queues(self) -> None:
        try:
            await retire_classic_retry_queues(self.url, self.options.namespace)
        except Exception as exc:  # the old queues wait; the service need not
            log.warning(
                "classic retry queues not retired; retired at the next start",
                extra={"error": repr(exc)[:300]},
            )

    async def _declare_topology(self, channel: AbstractRobustChannel) -> AbstractRobustExchange:
        exchange = await channel.declare_exchange(
            self.options.namespace + topology.EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        if self.options.declare_all_queues:
            for consumer, patterns in topology.SUBSCRIPTIONS.items():
                await self._declare_consumer_queues(channel, consumer, patterns)
        return exchange

    async def _declare_consumer_queues(
        self, channel: AbstractRobustChannel, consumer: str, patterns: tuple[str, ...]
    ) -> aio_pika.abc.AbstractRobustQueue:
        queue = None
        for name, arguments in topology.queue_declarations(self.options.namespace, consumer):
            queue = await channel.declare_queue(name, durable=True, arguments=arguments)
        assert queue is not None  # the main queue, declared last
        exchange = self.options.namespace + topology.EXCHANGE
        for pattern in patterns:
            await queue.bind(exchange, routing_key=pattern)
        for pattern in topology.RETIRED.get(consumer, ()):
            await queue.unbind(exchange, routing_key=pattern)
        return queue

    async def publish(self, envelope: Envelope) -> None:
        if self._publisher is None:
            raise PublishError("bus is not connected")
        message = aio_pika.Message(
            envelope.to_bytes(),
            message_id=str(envelope.id),
            correlation_id=envelope.correlation_id,
            type=envelope.type,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            app_id=envelope.producer,
        )
        await self._publisher.publish(message, envelope.type, direct=False)

    async def subscribe(self, consumer: str, handler: Handler) -> None:
        assert self._connection is not None, "connect() first"
        channel: AbstractRobustChannel = await self._connection.channel()
        await channel.set_qos(prefetch_count=self.options.prefetch)
        queue = await self._declare_consumer_queues(
            channel, consumer, topology.SUBSCRIPTIONS[consumer]
        )
        self._consumer_channels[consumer] = channel

        async def on_message(message: AbstractIncomingMessage) -> None:
            await self._handle(consumer, handler, message)

        await queue.consume(on_message, no_ack=False)

    async def _handle(
        self, consumer: str, handler: Handler, message: AbstractIncomingMessage
    ) -> None:
        raw_attempt = (message.headers or {}).get(ATTEMPT_HEADER, 1)
        attempt = raw_attempt if isinstance(raw_attempt, int) else 1
        try:
            await handler(Envelope.from_bytes(message.body))
        except (PermanentMessageError, ValueError) as exc:
            await self._reroute(consumer, message, attempt, exc, dead=True)
        except Exception as exc:
            if database_unavailable(exc):
                # The database was away, the message is fine: wait and try again without using
                # up an attempt, or an outage longer than the retries would dead-letter it.
                await self._reroute(consumer, message, attempt - 1, exc, dead=False)
                return
            dead = attempt >= self.options.max_attempts
            await self._reroute(consumer, message, attempt, exc, dead=dead)
        else:
            await message.ack()

    async def _reroute(
        self,
        consumer: str,
        message: AbstractIncomingMessage,
        attempt: int,
        exc: Exception,
        *,
        dead: bool,
    ) -> None:
        """Move a failed message to the retry or dead-letter queue, then ack the original."""
        _, retry, dlq = self._names(consumer)
        headers = dict(message.headers or {})
        headers[ATTEMPT_HEADER] = attempt + 1
        headers["x-clinic-error"] = repr(exc)[:500]
        copy = aio_pika.Message(
            message.body,
            headers=headers,
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            type=message.type,
            content_type=message.content_type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            expiration=None if dead else self.options.retry_delay_seconds,
        )
        level = logging.ERROR if dead else logging.WARNING
        log.log(
            level,
            "message dead-lettered" if dead else "message will be retried",
            extra={"consumer": consumer, "attempt": attempt, "error": repr(exc)[:500]},
        )
        assert self._publisher is not None
        try:
            await self._publisher.publish(copy, dlq if dead else retry, direct=True)
        except PublishError:
            await message.nack(requeue=True)  # keep it; the broker redelivers it later
            return
        await message.ack()
        (self.dead_lettered if dead else self.retried)[consumer] += 1

    async def dead_letter_count(self, consumer: str) -> int:
        assert self._publisher is not None
        _, _, dlq = self._names(consumer)
        # Straight to the AMQP channel: aio-pika's robust channel answers a passive declare of a
        # queue it knows from its cache, with the count as it was then.
        underlay = await self._publisher.channel.get_underlay_channel()
        result = await underlay.queue_declare(dlq, passive=True)
        return int(result.message_count or 0)

    def health(self) -> BusHealth:
        conn = self._connection
        connected = conn is not None and not conn.is_closed and conn.connected.is_set()
        consumers = {
            name: connected and not channel.is_closed
            for name, channel in self._consumer_channels.items()
        }
        return BusHealth(connected=connected, consumers=consumers)

    async def close(self) -> None:
        if self._publisher is not None:
            await self._publisher.close()
        if self._connection is not None:
            await self._connection.close()
        self._connection = self._publisher = None
        self._consumer_channels.clear()
