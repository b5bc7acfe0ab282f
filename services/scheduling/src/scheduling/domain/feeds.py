"""What a practitioner's calendar feed says of a patient: initials, nothing more."""

from __future__ import annotations


def initials(first_name: str, last_name: str) -> str:
    """`Jeanne`, `Dupont-Moreau` -> `J.D.`: enough for the practitioner to recognise, too
    little to identify the patient to anyone else who sees the calendar."""
    letters = [name.strip()[0].upper() for name in (first_name, last_name) if name.strip()]
    return "".join(f"{letter}." for letter in letters) or "?"
