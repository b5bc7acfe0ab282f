"""Scheduling's reactions to other services' events; the consumer's unit of work commits."""

from __future__ import annotations

from clinic_shared.contracts.events import (
    ConsentChanged,
    SessionConfirmedByPatient,
    StockReserved,
    StockShortage,
)
from clinic_shared.outbox import ScopedHandler
from scheduling.service_layer.scope import Scope


async def confirm_session(event: SessionConfirmedByPatient, scope: Scope) -> None:
    """The patient replied to confirm: a booked session becomes confirmed, unless it has been
    moved since the reply (they confirmed the old time, not the new one)."""
    await scope.calendar.confirm(event.session_id, event.confirmed_at, scope.clinic.now)


async def copy_consent(event: ConsentChanged, scope: Scope) -> None:
    """Notifications owns consent: keep its newest revision of the patient's."""
    await scope.patients.copy_consent(
        event.patient_id,
        sms=event.consent_sms,
        email=event.consent_email,
        revision=event.revision,
    )


async def mark_stock_at_risk(event: StockShortage, scope: Scope) -> None:
    await _set_stock_flag(scope, event, at_risk=True)


async def clear_stock_at_risk(event: StockReserved, scope: Scope) -> None:
    await _set_stock_flag(scope, event, at_risk=False)


async def _set_stock_flag(
    scope: Scope, event: StockShortage | StockReserved, *, at_risk: bool
) -> None:
    # Inventory's news can arrive out of order: only a newer report changes the flag.
    await scope.calendar.set_stock_flag(
        event.session_id, at_risk=at_risk, reported_at=scope.uow.occurred_at
    )


EVENT_HANDLERS: dict[str, ScopedHandler[Scope]] = {
    ConsentChanged.TYPE: copy_consent,
    SessionConfirmedByPatient.TYPE: confirm_session,
    StockShortage.TYPE: mark_stock_at_risk,
    StockReserved.TYPE: clear_stock_at_risk,
}
