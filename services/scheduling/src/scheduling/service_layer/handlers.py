"""Scheduling's reactions to other services' events; the consumer's unit of work commits."""

from __future__ import annotations

import sqlalchemy as sa

from clinic_shared.contracts.events import (
    ConsentChanged,
    SessionConfirmedByPatient,
    StockReserved,
    StockShortage,
)
from clinic_shared.db import utcnow
from clinic_shared.direct import Direct
from clinic_shared.outbox import UnitOfWork
from clinic_shared.outbox.inbox import EventHandler
from scheduling.adapters.orm import sessions
from scheduling.adapters.repository import PatientRepository
from scheduling.domain.model import SessionStatus


async def confirm_session(event: SessionConfirmedByPatient, uow: UnitOfWork) -> None:
    """The patient replied to confirm: a booked session becomes confirmed, unless it has been
    moved since the reply (they confirmed the old time, not the new one)."""
    await uow.session.execute(
        sa.update(sessions)
        .where(
            sessions.c.id == event.session_id,
            sessions.c.status == SessionStatus.BOOKED.value,
            sa.or_(
                sessions.c.rescheduled_at.is_(None),
                sessions.c.rescheduled_at <= event.confirmed_at,
            ),
        )
        .values(
            status=SessionStatus.CONFIRMED.value,
            confirmed_at=event.confirmed_at,
            updated_at=utcnow(),
        )
    )


async def copy_consent(event: ConsentChanged, uow: UnitOfWork) -> None:
    """Notifications owns consent: keep its newest revision of the patient's."""
    await PatientRepository(uow.session).copy_consent(
        event.patient_id,
        sms=event.consent_sms,
        email=event.consent_email,
        revision=event.revision,
    )


async def mark_stock_at_risk(event: StockShortage, uow: UnitOfWork) -> None:
    await _set_stock_flag(uow, event.session_id, at_risk=True)


async def clear_stock_at_risk(event: StockReserved, uow: UnitOfWork) -> None:
    await _set_stock_flag(uow, event.session_id, at_risk=False)


# Built once: every booking's stock report runs it (building costs more CPU than running it).
_SET_STOCK_FLAG = Direct(
    sa.update(sessions)
    .where(
        sessions.c.id == sa.bindparam("session_id"),
        sa.or_(
            sessions.c.stock_checked_at.is_(None),
            sessions.c.stock_checked_at <= sa.bindparam("reported_at"),
        ),
    )
    .values(stock_at_risk=sa.bindparam("at_risk"), stock_checked_at=sa.bindparam("reported_at"))
)


async def _set_stock_flag(uow: UnitOfWork, session_id: object, *, at_risk: bool) -> None:
    # Inventory's news can arrive out of order: only a newer report changes the flag.
    await _SET_STOCK_FLAG.run(
        uow.session,
        {"session_id": session_id, "reported_at": uow.occurred_at, "at_risk": at_risk},
    )


HANDLERS: dict[str, EventHandler] = {
    ConsentChanged.TYPE: copy_consent,
    SessionConfirmedByPatient.TYPE: confirm_session,
    StockShortage.TYPE: mark_stock_at_risk,
    StockReserved.TYPE: clear_stock_at_risk,
}
