"""Two-way SMS: a patient's reply confirms, asks to reschedule, or opts out or in."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from clinic_shared.contracts.events import SessionCancelRequested, SessionConfirmedByPatient
from clinic_shared.outbox import UnitOfWork
from notifications.adapters.alerts import AlertRepository
from notifications.adapters.consent import ConsentRepository
from notifications.adapters.orm import inbox
from notifications.adapters.repository import SessionRepository
from notifications.domain.consent import ConsentChange, taken_by_stop
from notifications.domain.replies import Intent, intent_of
from notifications.service_layer.consent import apply_consent
from notifications.service_layer.replanning import replan_reminders

log = logging.getLogger(__name__)
INBOUND_CONSUMER = "sms-inbound"


@dataclass(frozen=True)
class InboundSms:
    sid: str
    sender: str
    body: str


async def first_delivery(uow: UnitOfWork, sms: InboundSms, now: datetime) -> bool:
    """Whether this SMS id is new (the provider retries webhooks it thinks failed)."""
    statement = (
        pg_insert(inbox)
        .values(consumer=INBOUND_CONSUMER, event_id=sms.sid[:36], event_type="sms", received_at=now)
        .on_conflict_do_nothing()
    )
    return bool((await uow.session.execute(statement)).rowcount == 1)  # type: ignore[attr-defined]


async def handle_reply(
    uow: UnitOfWork, sms: InboundSms, *, now: datetime, zone: ZoneInfo
) -> Intent | None:
    """Act on the reply once; the caller commits. Returns what it understood."""
    intent = intent_of(sms.body)
    if not await first_delivery(uow, sms, now) or intent is None:
        return intent
    consent = ConsentRepository(uow.session)
    patients = await consent.patients_with_phone(sms.sender)
    if intent in ("opt_out", "opt_in"):
        changed = await record_sms_consent(uow, sms, patients, opted_in=intent == "opt_in", now=now)
        if intent == "opt_in" and changed:
            await replan_reminders(uow, now=now, zone=zone, patient_ids=changed, channel="sms")
        return intent
    session = (
        await SessionRepository(uow.session).next_booked(patients, after=now) if patients else None
    )
    if session is None:
        log.info("reply with no upcoming session", extra={"sms_sid": sms.sid})
        return intent
    if intent == "confirm":
        uow.emit(
            SessionConfirmedByPatient(
                session_id=session.session_id, patient_id=session.patient_id, confirmed_at=now
            )
        )
    else:
        await ask_to_reschedule(uow, session, now=now, zone=zone)
    return intent


async def ask_to_reschedule(
    uow: UnitOfWork,
    session: sa.Row[Any],
    *,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    uow.emit(
        SessionCancelRequested(
            session_id=session.session_id, patient_id=session.patient_id, requested_at=now
        )
    )
    await AlertRepository(uow.session).raise_once(
        kind="reschedule_requested",
        subject=str(session.session_id),
        day=now.astimezone(zone).date(),
        details={
            "session_id": str(session.session_id),
            "patient_id": str(session.patient_id),
            "starts_at": session.starts_at.isoformat(),
        },
        now=now,
    )


async def record_sms_consent(
    uow: UnitOfWork,
    sms: InboundSms,
    patients: list[uuid.UUID],
    *,
    opted_in: bool,
    now: datetime,
) -> list[uuid.UUID]:
    """Apply a STOP or START to the patients on the number; those whose consent it changed.

    A STOP withdraws SMS from everyone on the number (a family shares a phone); a START gives
    it back to those a STOP took it from, no one else. The reply is ledgered for each of them,
    or for the number alone when it changed no one's (so the number's STOP is known).
    """
    consent = ConsentRepository(uow.session)
    change = ConsentChange("sms", opted_in, "sms_reply", sms.sid)
    changed = []
    for patient_id in patients:
        if opted_in and not taken_by_stop(await consent.latest(patient_id, "sms")):
            continue
        if await apply_consent(uow, patient_id, [change], now=now) is not None:
            changed.append(patient_id)
    if not changed:
        await consent.record(
            patient_id=None,
            channel="sms",
            address=sms.sender,
            action="opt_in" if opted_in else "opt_out",
            source="sms_reply",
            reference=sms.sid,
            recorded_at=now,
        )
    if not opted_in and patients:
        await consent.cancel_scheduled(patients, "sms", reason="opted out", now=now)
    return changed
