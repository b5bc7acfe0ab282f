"""The shape every service's unit of work takes (issue 17).

Each service has one `Scope` (`service_layer/scope.py`): a unit of work that owns the service's
repositories, built on the unit's session. Use cases, event handlers and workers take the Scope,
never a bare session; routers open one and call one use case. Repositories subclass
`Repository`, so none writes its own `__init__(self, session)`.

Event handlers are registered once per service, in `EVENT_HANDLERS` (event type to a function
of the event and the Scope). `scoped_handlers` turns that registry into what the inbox consumer
calls, building the Scope on the consumer's unit of work: the one place a handler's
dependencies (the clinic's zone, its settings) are injected.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_shared.outbox.inbox import EventHandler
from clinic_shared.outbox.uow import UnitOfWork


class Repository:
    """Base of every repository: its statements run in the unit of work's session, so they
    commit or roll back with the rest of the unit."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session


S = TypeVar("S")
ScopedHandler = Callable[[Any, S], Awaitable[None]]
"""A service's handler: the event, and the service's Scope."""


def scoped_handlers(
    registry: Mapping[str, ScopedHandler[S]], make_scope: Callable[[UnitOfWork], S]
) -> dict[str, EventHandler]:
    """The service's `EVENT_HANDLERS` as the inbox consumer calls them: each handler gets the
    Scope that `make_scope` builds on the consumer's unit of work."""

    def bind(handler: ScopedHandler[S]) -> EventHandler:
        @functools.wraps(handler)
        async def handle(event: Any, uow: UnitOfWork) -> None:
            await handler(event, make_scope(uow))

        return handle

    return {event_type: bind(handler) for event_type, handler in registry.items()}
