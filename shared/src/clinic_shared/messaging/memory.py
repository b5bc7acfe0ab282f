"""In-memory bus for the embedded mode: the same topology, at-least-once delivery and retries."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field

from clinic_shared.contracts import Envelope
from clinic_shared.db import database_unavailable
from clinic_shared.errors import PermanentMessageError
from clinic_shared.messaging.bus import BusHealth, BusOptions, Handler, UnroutableError
from clinic_shared.messaging.topology import SUBSCRIPTIONS, topic_matches

log = logging.getLogger(__name__)


@dataclass
class _Message:
    body: bytes
    attempt: int = 1


@dataclass
class _Queue:
    patterns: tuple[str, ...]
    pending: asyncio.Queue[_Message] = field(default_factory=asyncio.Queue)
    dead_letters: list[tuple[bytes, str]] = field(default_factory=list)
    workers: list[asyncio.Task[None]] = field(default_factory=list)


class InMemoryBus:
    """One process's bus. Messages are copied as bytes, as a broker would; lost when it exits."""

    def __init__(self, options: BusOptions | None = None) -> None:
        self.options = options or BusOptions()
        self._queues: dict[str, _Queue] = {}
        self._timers: set[asyncio.TimerHandle] = set()
        self._inflight: set[asyncio.Task[None]] = set()
        self._connected = False
        self.channel_reopens = self.connection_reopens = 0  # no channel, no connection
        self.retried: Counter[str] = Counter()  # by consumer, for /metrics
        self.dead_lettered: Counter[str] = Counter()

    async def connect(self) -> None:
        for consumer, patterns in SUBSCRIPTIONS.items():
            self._queues.setdefault(consumer, _Queue(patterns))
        self._connected = True

    async def publish(self, envelope: Envelope) -> None:
        targets = [q for q in self._queues.values() if _routes(q, envelope.type)]
        if not targets:
            raise UnroutableError(f"no queue bound for {envelope.type}")
        body = envelope.to_bytes()
        for queue in targets:
            queue.pending.put_nowait(_Message(body))

    async def subscribe(self, consumer: str, handler: Handler) -> None:
        queue = self._queues[consumer]
        for _ in range(self.options.prefetch):
            queue.workers.append(asyncio.create_task(self._work(consumer, queue, handler)))

    async def _work(self, consumer: str, queue: _Queue, handler: Handler) -> None:
        while True:
            message = await queue.pending.get()
            # Shielded: closing the bus lets a handler in the middle of its transaction finish.
            task = asyncio.ensure_future(_deliver(handler, message.body))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
            try:
                await asyncio.shield(task)
            except (PermanentMessageError, ValueError) as exc:
                self._dead_letter(consumer, queue, message, exc)
            except Exception as exc:
                unavailable = database_unavailable(exc)  # no attempt used: see RabbitBus
                if message.attempt >= self.options.max_attempts and not unavailable:
                    self._dead_letter(consumer, queue, message, exc)
                else:
                    log.warning(
                        "retrying message", extra={"consumer": consumer, "error": repr(exc)}
                    )
                    attempt = message.attempt + (0 if unavailable else 1)
                    self._retry_later(queue, _Message(message.body, attempt))
                    self.retried[consumer] += 1

    def _retry_later(self, queue: _Queue, message: _Message) -> None:
        loop = asyncio.get_running_loop()

        def requeue() -> None:
            self._timers.discard(timer)
            queue.pending.put_nowait(message)

        timer = loop.call_later(self.options.retry_delay_seconds, requeue)
        self._timers.add(timer)

    def _dead_letter(self, consumer: str, queue: _Queue, message: _Message, exc: Exception) -> None:
        log.error(
            "message dead-lettered",
            extra={"consumer": consumer, "attempt": message.attempt, "error": repr(exc)},
        )
        queue.dead_letters.append((message.body, repr(exc)))
        self.dead_lettered[consumer] += 1

    async def dead_letter_count(self, consumer: str) -> int:
        return len(self._queues[consumer].dead_letters)

    def health(self) -> BusHealth:
        consumers = {
            name: bool(q.workers) and not all(w.done() for w in q.workers)
            for name, q in self._queues.items()
            if q.workers
        }
        return BusHealth(connected=self._connected, consumers=consumers)

    async def close(self) -> None:
        for timer in self._timers:
            timer.cancel()
        workers = [w for q in self._queues.values() for w in q.workers]
        for worker in workers:
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        if self._inflight:
            await asyncio.wait(self._inflight, timeout=10)
        for q in self._queues.values():
            q.workers.clear()
        self._connected = False


def _routes(queue: _Queue, routing_key: str) -> bool:
    return any(topic_matches(p, routing_key) for p in queue.patterns)


async def _deliver(handler: Handler, body: bytes) -> None:
    await handler(Envelope.from_bytes(body))
