"""SMS encoding and segment counting (GSM 03.38 7-bit or UCS-2)."""

from __future__ import annotations

import math
import unicodedata

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = "^{}\\[~]|€\f"  # each takes two septets (escape + char)
_GSM7 = frozenset(GSM7_BASIC) | frozenset(GSM7_EXTENDED)
_REPLACEMENTS = {  # typographic punctuation to its GSM-7 look-alike
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
}


def is_gsm7(text: str) -> bool:
    return all(char in _GSM7 for char in text)


def septets(text: str) -> int:
    return sum(2 if char in GSM7_EXTENDED else 1 for char in text)


def segments(text: str) -> int:
    """How many SMS segments `text` takes: 160/153 septets in GSM-7, 70/67 UTF-16 units in UCS-2."""
    if is_gsm7(text):
        units, single, multi = septets(text), 160, 153
    else:
        units, single, multi = len(text.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / multi)


def typographic_to_gsm7(text: str) -> str:
    """Curly quotes, dashes, ellipses and no-break spaces as their GSM-7 look-alikes: the same
    text to a reader, and it may then fit GSM-7."""
    return "".join(_REPLACEMENTS.get(char, char) for char in text)


def for_sms(text: str, name: str) -> str:
    """The text to send: GSM-7 when the patient's name is written in it (the template's own
    accents dropped where GSM-7 lacks them: ê -> e), else as it is, which goes as UCS-2, so a
    name such as Zoë, Łucja or Владимир reaches its patient intact, never as '?'."""
    text = typographic_to_gsm7(text)
    if is_gsm7(typographic_to_gsm7(name)):
        return to_gsm7(text)
    return text


def to_gsm7(text: str) -> str:
    """`text` in GSM-7 only: accents dropped where the alphabet lacks them (ê -> e), others '?'.

    One non-GSM character would make the whole message UCS-2, more than halving what fits.
    """
    out = []
    for char in text:
        char = _REPLACEMENTS.get(char, char)
        if all(c in _GSM7 for c in char):
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if c in _GSM7)
        out.append(base or "?")
    return "".join(out)
