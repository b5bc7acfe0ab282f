"""Dates and times as a patient reads them, in English or French, on the clinic's clock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from clinic_shared.fields import LANGUAGES

DAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
}
MONTHS = {
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "fr": (
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ),
}  # fmt: skip


SHORT_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": (
        "janv.", "févr.", "mars", "avr.", "mai", "juin",
        "juil.", "août", "sept.", "oct.", "nov.", "déc.",
    ),
}  # fmt: skip


def language_of(code: str) -> str:
    """The patient's language when there are templates in it, else English."""
    return code if code in LANGUAGES else "en"


def local_date(instant: datetime, zone: ZoneInfo, language: str) -> str:
    local = instant.astimezone(zone)
    day, month = DAYS[language][local.weekday()], MONTHS[language][local.month - 1]
    return f"{day} {local.day} {month}"


def local_time(instant: datetime, zone: ZoneInfo, language: str) -> str:
    local = instant.astimezone(zone)
    return f"{local:%H}h{local:%M}" if language == "fr" else f"{local:%H:%M}"


def short_date(instant: datetime, zone: ZoneInfo, language: str) -> str:
    """The clinic's calendar day, short: `12 Jan`, `12 janv.`."""
    local = instant.astimezone(zone)
    return f"{local.day} {SHORT_MONTHS[language][local.month - 1]}"


def session_title(language: str, sequence: int, planned: int | None, clinic_name: str) -> str:
    """A session's name in the patient's calendar: `Session 2 of 6 · Clinique Lumière`."""
    word, of = ("Séance", "sur") if language == "fr" else ("Session", "of")
    counted = f"{word} {sequence} {of} {planned}" if planned else f"{word} {sequence}"
    return f"{counted} · {clinic_name}"
