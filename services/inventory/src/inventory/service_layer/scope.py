"""What every inventory use case works with: the unit of work, the repositories, the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from clinic_shared.outbox import UnitOfWork
from clinic_shared.runtime import ServiceRuntime
from inventory.adapters.alerts import AlertRepository
from inventory.adapters.catalogue import KitRepository, ProductRepository
from inventory.adapters.consumptions import ConsumptionRepository
from inventory.adapters.courses import CourseRepository
from inventory.adapters.forecast import ForecastRepository
from inventory.adapters.lots import LotRepository
from inventory.adapters.orders import OrderRepository
from inventory.adapters.patients import PatientRepository
from inventory.adapters.reports import ReportRepository
from inventory.adapters.reservations import ReservationRepository
from inventory.adapters.scans import ScanRepository
from inventory.adapters.sessions import SessionRepository
from inventory.adapters.stock import StockRepository
from inventory.adapters.suppliers import SupplierRepository
from inventory.adapters.traceability import TraceRepository
from inventory.settings import InventorySettings

if TYPE_CHECKING:
    from inventory.service_layer.scans import ReorderReviews


@dataclass(frozen=True)
class ForecastSettings:
    days: int
    expiry_warning_days: int
    course_pace_days: int


class Scope:
    """A unit of work with inventory's repositories (each made on first use: a booked event
    needs two of them) and the clinic's settings."""

    def __init__(
        self,
        uow: UnitOfWork,
        settings: InventorySettings,
        reviews: ReorderReviews | None = None,
    ) -> None:
        self.uow = uow
        self.settings = settings
        self.zone: ZoneInfo = settings.zone
        self.reviews = reviews
        """The runtime's reorder reviews left to its background loop; None: review at once."""

    def sibling(self) -> Scope:
        """A scope on a new unit of work, for a later transaction (see `UnitOfWork.sibling`)."""
        return Scope(self.uow.sibling(), self.settings, self.reviews)

    @property
    def forecast_settings(self) -> ForecastSettings:
        return ForecastSettings(
            days=self.settings.forecast_days,
            expiry_warning_days=self.settings.expiry_warning_days,
            course_pace_days=self.settings.course_pace_days,
        )

    @cached_property
    def products(self) -> ProductRepository:
        return ProductRepository(self.uow.session)

    @cached_property
    def kits(self) -> KitRepository:
        return KitRepository(self.uow.session)

    @cached_property
    def lots(self) -> LotRepository:
        return LotRepository(self.uow.session)

    @cached_property
    def stock(self) -> StockRepository:
        return StockRepository(self.uow.session)

    @cached_property
    def reservations(self) -> ReservationRepository:
        return ReservationRepository(self.uow.session)

    @cached_property
    def sessions(self) -> SessionRepository:
        return SessionRepository(self.uow.session)

    @cached_property
    def consumptions(self) -> ConsumptionRepository:
        return ConsumptionRepository(self.uow.session)

    @cached_property
    def alerts(self) -> AlertRepository:
        return AlertRepository(self.uow.session)

    @cached_property
    def patients(self) -> PatientRepository:
        return PatientRepository(self.uow.session)

    @cached_property
    def courses(self) -> CourseRepository:
        return CourseRepository(self.uow.session)

    @cached_property
    def trace(self) -> TraceRepository:
        return TraceRepository(self.uow.session)

    @cached_property
    def forecast(self) -> ForecastRepository:
        return ForecastRepository(self.uow.session)

    @cached_property
    def reports(self) -> ReportRepository:
        return ReportRepository(self.uow.session)

    @cached_property
    def scans(self) -> ScanRepository:
        return ScanRepository(self.uow.session)

    @cached_property
    def suppliers(self) -> SupplierRepository:
        return SupplierRepository(self.uow.session)

    @cached_property
    def orders(self) -> OrderRepository:
        return OrderRepository(self.uow.session)


def make_scope(
    settings: InventorySettings, reviews: ReorderReviews | None = None
) -> Callable[[UnitOfWork], Scope]:
    """Scopes on units of work the caller opened (the consumer's, for `scoped_handlers`)."""

    def scope(uow: UnitOfWork) -> Scope:
        return Scope(uow, settings, reviews)

    return scope


@asynccontextmanager
async def open_scope(runtime: ServiceRuntime) -> AsyncIterator[Scope]:
    """A scope on a new unit of work of the running service (a request's, a worker's)."""
    settings = runtime.settings
    assert isinstance(settings, InventorySettings)
    async with runtime.uow() as uow:
        yield Scope(uow, settings)
