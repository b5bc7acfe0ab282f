"""Request and message context carried across awaits: the correlation and causation ids."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

correlation_id_var: ContextVar[str | None] = ContextVar("correlation_id", default=None)
causation_id_var: ContextVar[str | None] = ContextVar("causation_id", default=None)


def new_id() -> str:
    return str(uuid.uuid4())


def current_correlation_id() -> str:
    """The correlation id in force, or a fresh one when nothing set it."""
    return correlation_id_var.get() or new_id()


@contextmanager
def message_context(correlation_id: str | None, causation_id: str | None) -> Iterator[None]:
    """Run the block with these ids, as when handling a request or a consumed event."""
    corr = correlation_id_var.set(correlation_id or new_id())
    cause = causation_id_var.set(causation_id)
    try:
        yield
    finally:
        correlation_id_var.reset(corr)
        causation_id_var.reset(cause)


def current_event_id() -> str:
    """The id of the event being handled (its causation id for what it emits)."""
    event_id = causation_id_var.get()
    if event_id is None:
        raise RuntimeError("not handling an event")
    return event_id
