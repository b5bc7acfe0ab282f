"""Message texts from Jinja2 templates, one per kind, channel and language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from notifications.domain.sms import for_sms, segments

MAX_SMS_SEGMENTS = 2
"""The default cap (`NOTIFICATIONS_MAX_SMS_SEGMENTS`): past it, a text drops its optional parts
(the clinic's address), never the name or the time."""


@dataclass(frozen=True)
class Rendered:
    text: str
    subject: str | None = None
    html: str | None = None


class Templates:
    def __init__(self, *, max_sms_segments: int = MAX_SMS_SEGMENTS) -> None:
        self.max_sms_segments = max_sms_segments
        self._env = Environment(
            loader=PackageLoader("notifications", "templates"),
            autoescape=select_autoescape(["html.j2"]),
            undefined=StrictUndefined,
            keep_trailing_newline=False,
            auto_reload=False,  # templates ship with the code; no stat() per render
        )

    def render(self, *, kind: str, channel: str, language: str, values: dict[str, Any]) -> Rendered:
        if channel == "sms":
            return Rendered(self.sms(kind, language, values))
        return self.email(kind, language, values)

    def sms(self, kind: str, language: str, values: dict[str, Any]) -> str:
        """The SMS, in GSM-7 unless the patient's name needs UCS-2 (`for_sms`), within the
        segment cap if dropping optional parts gets it there: first the address and the reply
        instructions (`compact`: the link stands for them), then a course's date range
        (`tight`); the name, the next session and its time are never cut."""
        template = self._env.get_template(f"{kind}.sms.{language}.j2")
        name = str(values.get("first_name", ""))
        for compact, tight in ((False, False), (True, False), (True, True)):
            text = for_sms(template.render(values, compact=compact, tight=tight).strip(), name)
            if segments(text) <= self.max_sms_segments:
                break
        return text

    def email(self, kind: str, language: str, values: dict[str, Any]) -> Rendered:
        """Subject (the template's first line), plain text and the same text as HTML."""
        rendered = self._env.get_template(f"{kind}.email.{language}.j2").render(values)
        subject, _, body = rendered.strip().partition("\n")
        body = body.strip()
        html = self._env.get_template("email.html.j2").render(
            language=language, subject=subject, paragraphs=body.split("\n\n")
        )
        return Rendered(body + "\n", subject.strip(), html)
