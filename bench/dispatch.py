"""Section 4: 10,000 due emails to a local SMTP server, against bare aiosmtplib loops.

Folds in bench/notifications_dispatch.py: the dispatcher (lease, render, send, record) and the
two bare loops run in this process against one aiosmtpd server, one after the other.
"""

from __future__ import annotations

from typing import Any

from aiosmtpd.controller import Controller
from common import free_port, scratch_databases
from notifications_dispatch import Counter, bare_per_second, dispatched_per_second


async def run(messages: int = 10_000) -> dict[str, Any]:
    counter = Counter()
    port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        async with scratch_databases("notifications") as urls:
            dispatcher = await dispatched_per_second(urls["notifications"], port, messages)
        per_message = await bare_per_second(port, messages, reuse=False)
        one_connection = await bare_per_second(port, messages, reuse=True)
    finally:
        controller.stop()
    return {
        "messages": messages,
        "received": counter.count,
        "per_second": {
            "dispatcher": dispatcher,
            "bare_connection_per_message": per_message,
            "bare_one_connection": one_connection,
        },
        "ratio_to_bare_loop": dispatcher / per_message,
        "ratio_to_bare_one_connection": dispatcher / one_connection,
    }
