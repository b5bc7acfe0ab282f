"""Two-way SMS: a patient's reply confirms, asks to reschedule, or opts out or in.

A C or R from a number one patient has answers their next session. Families share phones: from
a number several patients have, it answers the session of the last reminder or confirmation
sent to that number in the last 24 hours; when none went, or two went to different patients
within one minute, it changes nothing and staff get an alert naming the patients (never the
number).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

from clinic_shared.contracts.events import SessionCancelRequested, SessionConfirmedByPatient
from notifications.domain.consent import ConsentChange, taken_by_stop
from notifications.domain.replies import (
    REPLY_WINDOW,
    SESSION_GONE,
    Intent,
    Unmatched,
    intent_of,
    replied_to,
)
from notifications.service_layer.alerts import raise_alert
from notifications.service_layer.consent import apply_consent
from notifications.service_layer.replanning import replan_reminders
from notifications.service_layer.scope import Scope

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboundSms:
    sid: str
    sender: str
    body: str


async def handle_reply(scope: Scope, sms: InboundSms) -> Intent | None:
    """Act on the reply once; the caller commits. Returns what it understood."""
    now = scope.now
    intent = intent_of(sms.body)
    if not await scope.replies.first_delivery(sms.sid, now=now) or intent is None:
        return intent
    patients = await scope.consent.patients_with_phone(sms.sender)
    if intent in ("opt_out", "opt_in"):
        changed = await record_sms_consent(scope, sms, patients, opted_in=intent == "opt_in")
        if intent == "opt_in" and changed:
            await replan_reminders(scope, patient_ids=changed, channel="sms")
        return intent
    session = await session_answered(scope, sms, intent, patients)
    if session is None:
        return intent
    if intent == "confirm":
        scope.uow.emit(
            SessionConfirmedByPatient(
                session_id=session.session_id, patient_id=session.patient_id, confirmed_at=now
            )
        )
    else:
        await ask_to_reschedule(scope, session)
    return intent


async def session_answered(
    scope: Scope, sms: InboundSms, intent: Intent, patients: list[uuid.UUID]
) -> Any | None:
    """The session a C or R answers, or None (staff alerted when the number is shared)."""
    now = scope.now
    if len(patients) <= 1:
        session = await scope.sessions.next_booked(patients, after=now) if patients else None
        if session is None:
            log.info("reply with no upcoming session", extra={"sms_sid": sms.sid})
        return session
    sent = await scope.messages.sms_sent_to(patients, since=now - REPLY_WINDOW, until=now)
    match = replied_to(sent, now=now)
    if isinstance(match, Unmatched):
        await alert_unmatched(scope, sms, intent, patients, match)
        return None
    session = await scope.sessions.booked_not_started(match.session_id, after=now)
    if session is None:
        await alert_unmatched(scope, sms, intent, patients, SESSION_GONE)
    return session


async def alert_unmatched(
    scope: Scope, sms: InboundSms, intent: Intent, patients: list[uuid.UUID], why: Unmatched
) -> None:
    """Tell staff a reply from a shared number answered no session: who may have sent it."""
    named = []
    for patient_id in sorted(patients):
        contact = await scope.contacts.get(patient_id)
        first_name = contact.first_name if contact is not None else None
        named.append({"patient_id": str(patient_id), "first_name": first_name})
    log.info("reply from a shared number matched no session", extra={"sms_sid": sms.sid})
    await raise_alert(
        scope,
        "reply_unmatched",
        sms.sid,
        {"sms_sid": sms.sid, "intent": intent, "reason": why.reason, "patients": named},
    )


async def ask_to_reschedule(scope: Scope, session: Any) -> None:
    now = scope.now
    scope.uow.emit(
        SessionCancelRequested(
            session_id=session.session_id, patient_id=session.patient_id, requested_at=now
        )
    )
    await scope.alerts.raise_once(
        kind="reschedule_requested",
        subject=str(session.session_id),
        day=now.astimezone(scope.zone).date(),
        details={
            "session_id": str(session.session_id),
            "patient_id": str(session.patient_id),
            "starts_at": session.starts_at.isoformat(),
        },
        now=now,
    )


async def record_sms_consent(
    scope: Scope, sms: InboundSms, patients: list[uuid.UUID], *, opted_in: bool
) -> list[uuid.UUID]:
    """Apply a STOP or START to the patients on the number; those whose consent it changed.

    A STOP withdraws SMS from everyone on the number (a family shares a phone); a START gives
    it back to those a STOP took it from, no one else. The reply is ledgered for each of them,
    or for the number alone when it changed no one's (so the number's STOP is known).
    """
    consent, now = scope.consent, scope.now
    change = ConsentChange("sms", opted_in, "sms_reply", sms.sid)
    changed = []
    for patient_id in patients:
        if opted_in and not taken_by_stop(await consent.latest(patient_id, "sms")):
            continue
        if await apply_consent(scope, patient_id, [change]) is not None:
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
