"""What every notifications use case works with: its repositories, the clinic's zone, the time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from clinic_shared.outbox import UnitOfWork
from clinic_shared.runtime import ServiceRuntime
from notifications.adapters.alerts import AlertRepository
from notifications.adapters.confirmations import ConfirmationRepository
from notifications.adapters.consent import ConsentRepository
from notifications.adapters.contacts import ContactRepository
from notifications.adapters.erasure import ErasureRepository
from notifications.adapters.leases import LeaseRepository
from notifications.adapters.messages import MessageRepository
from notifications.adapters.policy import PolicyRepository
from notifications.adapters.replies import ReplyRepository
from notifications.adapters.sessions import SessionRepository
from notifications.adapters.supplier_orders import SupplierOrderRepository
from notifications.settings import NotificationsSettings


class Scope:
    """A unit of work with notifications' repositories.

    `now` is the time the rules apply at: when the consumed event occurred, for a handler; the
    clock's now, for a request; a round's own time, for a worker.
    """

    def __init__(self, uow: UnitOfWork, *, zone: ZoneInfo, now: datetime | None = None) -> None:
        self.uow = uow
        self.zone = zone
        self.now = now if now is not None else uow.occurred_at
        session = uow.session
        self.contacts = ContactRepository(session)
        self.sessions = SessionRepository(session)
        self.policy = PolicyRepository(session)
        self.messages = MessageRepository(session)
        self.confirmations = ConfirmationRepository(session)
        self.consent = ConsentRepository(session)
        self.alerts = AlertRepository(session)
        self.erasure = ErasureRepository(session)
        self.leases = LeaseRepository(session)
        self.replies = ReplyRepository(session)
        self.supplier_orders = SupplierOrderRepository(session)


def make_scope(settings: NotificationsSettings) -> Callable[[UnitOfWork], Scope]:
    """Scopes on the consumer's units of work, in the clinic's zone (for `scoped_handlers`)."""
    zone = settings.zone

    def make(uow: UnitOfWork) -> Scope:
        return Scope(uow, zone=zone)

    return make


@asynccontextmanager
async def open_scope(
    runtime: ServiceRuntime, *, now: datetime | None = None
) -> AsyncIterator[Scope]:
    """A scope on a new unit of work: for a request, or one transaction of a worker's round."""
    settings = runtime.settings
    assert isinstance(settings, NotificationsSettings)
    async with runtime.uow() as uow:
        yield Scope(uow, zone=settings.zone, now=now)
