"""Who listens to what: every consumer's queue and bindings, declared alike by every service.

Declaring the whole topology from each service means an event is never unroutable just because its
consumer has not started yet for the first time: its durable queue already holds it.
"""

from __future__ import annotations

from typing import Any

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


def queue_declarations(namespace: str, consumer: str) -> list[tuple[str, dict[str, Any]]]:
    """A consumer's queues and their arguments, in the order they are declared: dead letters,
    retries, then the main queue (each dead-letters into one declared before it)."""
    main = queue_name(namespace, consumer)
    dead = dead_letter_queue_name(namespace, consumer)
    # Retries wait in a queue no one consumes; when a message's TTL runs out the broker
    # dead-letters it back onto the main queue through the default exchange. At least once
    # (which needs reject-publish overflow): a retry that falls due while the main queue
    # elects a new leader waits for it instead of being dropped.
    retry_arguments = {
        "x-queue-type": "quorum",
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": main,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }
    main_arguments = {
        "x-queue-type": "quorum",
        "x-delivery-limit": DELIVERY_LIMIT,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": dead,
    }
    return [
        (dead, {"x-queue-type": "quorum"}),
        (retry_queue_name(namespace, consumer), retry_arguments),
        (main, main_arguments),
    ]


def broker_definitions(namespace: str = "") -> dict[str, Any]:
    """The whole topology as RabbitMQ definitions (exchanges, queues, bindings on the `/` vhost),
    for a broker that declares it at boot: where each service's user may declare only its own
    queues (`AMQP_DECLARE_ALL_QUEUES=false`), the broker still holds every consumer's queue
    before any service starts, so no event is unroutable."""
    exchange = namespace + EXCHANGE
    queues = [
        {"name": name, "vhost": "/", "durable": True, "auto_delete": False, "arguments": args}
        for consumer in SUBSCRIPTIONS
        for name, args in queue_declarations(namespace, consumer)
    ]
    bindings = [
        {
            "source": exchange,
            "vhost": "/",
            "destination": queue_name(namespace, consumer),
            "destination_type": "queue",
            "routing_key": pattern,
            "arguments": {},
        }
        for consumer, patterns in SUBSCRIPTIONS.items()
        for pattern in patterns
    ]
    return {
        "vhosts": [{"name": "/"}],
        "exchanges": [
            {
                "name": exchange,
                "vhost": "/",
                "type": "topic",
                "durable": True,
                "auto_delete": False,
                "internal": False,
                "arguments": {},
            }
        ],
        "queues": queues,
        "bindings": bindings,
    }
