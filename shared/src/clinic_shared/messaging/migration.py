"""Retiring the classic retry queues of releases before issue 16.

Those queues lived on one node of a cluster, and a queue's type cannot change in place
(redeclaring it as a quorum queue fails with PRECONDITION_FAILED), so the retries now wait in
quorum queues of new names. A deployment upgraded in place still has the old queues, maybe with
messages waiting in them: each is drained into its quorum successor, each message confirmed there
before it is taken off the old one, then deleted once empty. Every service does this when it
connects, so whichever starts first retires them.

During a rolling upgrade a replica of the old release may declare its queue again and send a
retry to it: that message still comes back to its consumer when its delay runs out (the old queue
dead-letters it onto the main queue), and the next start of a new replica retires the queue again.
"""

from __future__ import annotations

import logging

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage
from aio_pika.exceptions import ChannelClosed
from aiormq.exceptions import ChannelAccessRefused  # aio-pika raises it, does not re-export it

from clinic_shared.messaging import topology

log = logging.getLogger(__name__)


async def retire_classic_retry_queues(url: str, namespace: str) -> int:
    """Move what waits in every consumer's classic retry queue to its quorum one and delete the
    classic queue; return how many messages moved."""
    # A connection of its own, not robust: the broker closes the channel of a passive declare
    # of a queue that is not there, and a robust channel would declare it all over again.
    connection = await aio_pika.connect(url)
    async with connection:
        moved = 0
        for consumer in topology.SUBSCRIPTIONS:
            moved += await _retire(connection, namespace, consumer)
        return moved


async def _retire(connection: AbstractConnection, namespace: str, consumer: str) -> int:
    old = topology.classic_retry_queue_name(namespace, consumer)
    new = topology.retry_queue_name(namespace, consumer)
    channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
    try:
        queue = await channel.get_queue(old, ensure=True)
    except ChannelClosed as exc:  # not there (or on a node that is down: retired next time)
        log.debug("no classic retry queue to retire", extra={"queue": old, "reason": str(exc)})
        return 0
    moved = 0
    try:
        first = await queue.get(no_ack=False, fail=False)
    except ChannelAccessRefused:  # another service's (a broker user per service): its own to do
        log.debug("classic retry queue left to its consumer", extra={"queue": old})
        return 0
    message = first
    while message is not None:
        await _move(channel, message, new)
        moved += 1
        message = await queue.get(no_ack=False, fail=False)
    try:
        await queue.delete(if_unused=False, if_empty=True)
    except ChannelClosed as exc:  # a replica of the old release sent it a retry meanwhile
        log.warning(
            "classic retry queue not retired; retired at the next start",
            extra={"queue": old, "reason": str(exc)},
        )
        return moved
    log.info(
        "classic retry queue retired", extra={"queue": old, "moved_to": new, "messages": moved}
    )
    return moved


async def _move(channel: AbstractChannel, message: AbstractIncomingMessage, queue: str) -> None:
    """Publish a copy to `queue`, confirmed, then take the original off its queue."""
    copy = aio_pika.Message(
        message.body,
        headers=message.headers,
        message_id=message.message_id,
        correlation_id=message.correlation_id,
        type=message.type,
        content_type=message.content_type,
        app_id=message.app_id,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        expiration=message.expiration,  # the delay starts again: a retry comes late, never early
    )
    await channel.default_exchange.publish(copy, routing_key=queue, mandatory=True)
    await message.ack()
