"""Message texts from Jinja2 templates, one per kind, channel and language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from notifications.domain.sms import segments, to_gsm7

MAX_SMS_SEGMENTS = 2


@dataclass(frozen=True)
class Rendered:
    text: str
    subject: str | None = None
    html: str | None = None


class Templates:
    def __init__(self) -> None:
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
        """The SMS in GSM-7, in at most two segments (without the address when it must)."""
        template = self._env.get_template(f"{kind}.sms.{language}.j2")
        text = to_gsm7(template.render(values, compact=False).strip())
        if segments(text) > MAX_SMS_SEGMENTS:
            text = to_gsm7(template.render(values, compact=True).strip())
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
