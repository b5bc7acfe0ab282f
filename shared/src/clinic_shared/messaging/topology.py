"""Who listens to what: every consumer's queue and bindings, declared alike by every service.

Declaring the whole topology from each service means an event is never unroutable just because its
consumer has not started yet for the first time: its durable queue already holds it.
"""

from __future__ import annotations

EXCHANGE = "clinic.events"
DELIVERY_LIMIT = 20  # broker-side cap on redeliveries of one message (a consumer crashing on it)

SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "scheduling": ("notifications.session.*", "notifications.consent.*", "inventory.stock.*"),
    "inventory": ("scheduling.patient.*", "scheduling.session.*", "scheduling.course.*"),
    # Not inventory.stock.reserved: one comes for every booking and notifications has nothing to
    # do with it (a delivery it would only parse, claim in its inbox and drop).
    "notifications": (
        "scheduling.#",
        "inventory.stock.shortage",
        "inventory.reorder.*",
        "inventory.lot.*",
        # `sent` is emailed to the supplier, `cancelled` withdraws that email if not gone yet;
        # `drafted` and `received` are acked unread (no handler), as nothing here acts on them.
        "inventory.purchase_order.*",
    ),
}

# Bindings an earlier release made and this one dropped. Declaring the queues removes them, so a
# broker upgraded in place stops routing what the consumer no longer wants (unbinding a binding that
# is not there is a no-op for RabbitMQ).
RETIRED: dict[str, tuple[str, ...]] = {
    "notifications": ("inventory.#",),
}


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: `*` is exactly one word, `#` zero or more words."""
    return _match(pattern.split("."), routing_key.split("."))


def _match(pattern: list[str], words: list[str]) -> bool:
    if not pattern:
        return not words
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return any(_match(rest, words[i:]) for i in range(len(words) + 1))
    if not words:
        return False
    return (head in ("*", words[0])) and _match(rest, words[1:])


def queue_name(namespace: str, consumer: str) -> str:
    return f"{namespace}{consumer}"


def retry_queue_name(namespace: str, consumer: str) -> str:
    """Where a failed message waits out its retry delay: a quorum queue, replicated like the
    consumer's own (a name of its own because a queue's type cannot change in place)."""
    return f"{namespace}{consumer}.delay"


def classic_retry_queue_name(namespace: str, consumer: str) -> str:
    """The retry queue of releases before issue 16: a classic queue, on one node of a cluster."""
    return f"{namespace}{consumer}.retry"


def dead_letter_queue_name(namespace: str, consumer: str) -> str:
    return f"{namespace}{consumer}.dlq"
