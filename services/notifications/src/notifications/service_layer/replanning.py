"""After a START reply, the SMS reminders of the patient's upcoming sessions come back."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from clinic_shared.outbox import UnitOfWork
from notifications.adapters.messages import MessageRepository
from notifications.adapters.repository import ContactRepository, PolicyRepository, SessionRepository
from notifications.domain.planning import plan_session_messages


async def replan_sms_reminders(
    uow: UnitOfWork, patient_ids: list[uuid.UUID], *, now: datetime, zone: ZoneInfo
) -> None:
    """Plan the policy's SMS reminders still ahead for each booked session of these patients.

    Keys already there are left alone; ones cancelled by the STOP are revived.
    """
    policy = await PolicyRepository(uow.session).get()
    messages = MessageRepository(uow.session)
    contacts = ContactRepository(uow.session)
    for session in await SessionRepository(uow.session).upcoming_booked(patient_ids, after=now):
        reach = await contacts.reach(session.patient_id)
        if reach is None:
            continue
        planned = plan_session_messages(
            starts_at=session.starts_at, reach=reach, policy=policy, zone=zone, now=now
        )
        for message in planned:
            if message.kind != "reminder" or message.channel != "sms":
                continue
            await messages.schedule(
                message,
                patient_id=session.patient_id,
                subject_id=session.session_id,
                session_id=session.session_id,
                course_id=session.course_id,
                context={
                    "sequence": session.sequence,
                    "sessions_planned": session.sessions_planned,
                    "treatment_code": session.treatment_code,
                    "starts_at": session.starts_at.isoformat(),
                },
                now=now,
            )
