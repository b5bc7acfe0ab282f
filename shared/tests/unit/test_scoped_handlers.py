"""Issue 17: a service's EVENT_HANDLERS reach the inbox consumer with the service's Scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from clinic_shared.outbox import UnitOfWork, scoped_handlers


@dataclass
class FakeScope:
    uow: object
    zone: str


async def test_each_handler_gets_a_scope_built_on_the_consumers_unit_of_work() -> None:
    seen: list[tuple[str, Any, FakeScope]] = []

    async def booked(event: object, scope: FakeScope) -> None:
        seen.append(("booked", event, scope))

    async def cancelled(event: object, scope: FakeScope) -> None:
        seen.append(("cancelled", event, scope))

    handlers = scoped_handlers(
        {"session.booked": booked, "session.cancelled": cancelled},
        lambda uow: FakeScope(uow, zone="Europe/Paris"),
    )
    uow = cast(UnitOfWork, object())
    await handlers["session.cancelled"]("event-1", uow)
    await handlers["session.booked"]("event-2", uow)

    assert [(name, event) for name, event, _ in seen] == [
        ("cancelled", "event-1"),
        ("booked", "event-2"),
    ]
    assert all(scope.uow is uow and scope.zone == "Europe/Paris" for _, _, scope in seen)
    assert handlers["session.booked"].__name__ == "booked"  # log lines and traces name it
