"""A message's text for its patient: template values from the message, the contact, the clinic."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from clinic_shared.patient_links import mint_link
from notifications.adapters.channels import Outgoing
from notifications.adapters.templates import Templates
from notifications.domain.wording import language_of, local_date, local_time, short_date
from notifications.service_layer.invites import invites

MAX_NAME_CHARS = 30
LINKED_KINDS = frozenset({"confirmation", "reminder", "displaced"})
"""The messages that carry the patient's self-service link."""


@dataclass(frozen=True)
class PatientLinks:
    """Makes a course's self-service link: the dashboard's `/p/{token}`."""

    key: str
    base_url: str

    def url(self, course_id: uuid.UUID) -> str:
        return f"{self.base_url.rstrip('/')}/p/{mint_link(self.key, course_id)}"


@dataclass(frozen=True)
class Clinic:
    name: str
    address: str
    phone: str
    zone: ZoneInfo
    links: PatientLinks | None = None
    email: str | None = None  # the address invites come from (their ORGANIZER)


def template_values(
    context: dict[str, Any], *, first_name: str, language: str, clinic: Clinic
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "first_name": first_name[:MAX_NAME_CHARS],
        "sequence": context.get("sequence"),
        "sessions_planned": context.get("sessions_planned"),
        "clinic_name": clinic.name,
        "clinic_address": clinic.address,
        "clinic_phone": clinic.phone,
    }
    if starts_at := context.get("starts_at"):
        instant = datetime.fromisoformat(starts_at)
        values["date"] = local_date(instant, clinic.zone, language)
        values["time"] = local_time(instant, clinic.zone, language)
    values |= _listed(context.get("sessions") or [], clinic.zone, language)
    values["moved"] = bool(context.get("moved"))
    if closes_on := context.get("window_closes_on"):
        noon = datetime.combine(date.fromisoformat(closes_on), datetime.min.time(), clinic.zone)
        values["window_closes"] = local_date(noon, clinic.zone, language)
    return values


def _listed(sessions: list[dict[str, Any]], zone: ZoneInfo, language: str) -> dict[str, Any]:
    """The sessions a confirmation lists, each with its day and time, and the first and last
    days (empty for a message about one session)."""
    instants = [datetime.fromisoformat(s["starts_at"]) for s in sessions]
    listed = [
        {
            "sequence": s["sequence"],
            "date": local_date(at, zone, language),
            "time": local_time(at, zone, language),
        }
        for s, at in zip(sessions, instants, strict=True)
    ]
    if not instants:
        return {"sessions": listed}
    return {
        "sessions": listed,
        "first_day": short_date(instants[0], zone, language),
        "last_day": short_date(instants[-1], zone, language),
    }


def _link(message: Any, links: PatientLinks | None) -> str | None:
    """The link a confirmation or reminder carries, made as it is sent (never stored)."""
    if links is None or message.kind not in LINKED_KINDS or message.course_id is None:
        return None
    return links.url(message.course_id)


def outgoing_for(message: Any, contact: Any, *, clinic: Clinic, templates: Templates) -> Outgoing:
    """The text of a message row for its contact row, by the message's channel."""
    language = language_of(contact.language)
    values = template_values(
        message.context, first_name=contact.first_name, language=language, clinic=clinic
    )
    values["link"] = _link(message, clinic.links)
    rendered = templates.render(
        kind=message.kind, channel=message.channel, language=language, values=values
    )
    return Outgoing(
        message_id=str(message.id),
        channel=message.channel,
        to=contact.phone if message.channel == "sms" else contact.email,
        text=rendered.text,
        subject=rendered.subject,
        html=rendered.html,
        attachments=invites(message, contact, clinic=clinic, language=language),
    )
