"""Request field types that take only the text the OpenAPI promises.

Pydantic's lax mode reads `0`, `0.5` or `"1700000000"` as a Unix timestamp; a client that sent
one made a mistake, and the answer is a 422 naming the field, not a session in January 1970.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator, Field

_ISO_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


def _instant_text(value: object) -> object:
    if isinstance(value, datetime) or (
        isinstance(value, str) and re.match(_ISO_DAY + "[Tt ]", value)
    ):
        return value
    raise ValueError(
        "must be an ISO 8601 date-time with its UTC offset, e.g. 2030-03-04T10:00+01:00"
    )


def _day_text(value: object) -> object:
    if isinstance(value, date) or (isinstance(value, str) and re.fullmatch(_ISO_DAY, value)):
        return value
    raise ValueError("must be an ISO 8601 calendar day, e.g. 2030-03-04")


Instant = Annotated[AwareDatetime, BeforeValidator(_instant_text)]
Day = Annotated[date, BeforeValidator(_day_text)]


LANGUAGES = ("en", "fr")
"""The languages patients are written to in: notifications has every message template in each
(its tests check that), so a patient's language is one of these."""


def _supported_language(value: object) -> object:
    if isinstance(value, str) and value.strip().lower() in LANGUAGES:
        return value.strip().lower()
    raise ValueError(f"must be a language the clinic writes in: {', '.join(LANGUAGES)}")


Language = Annotated[
    str,
    BeforeValidator(_supported_language),
    Field(json_schema_extra={"enum": list(LANGUAGES)}),
]
