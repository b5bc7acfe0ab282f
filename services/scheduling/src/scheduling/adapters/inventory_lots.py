"""Inventory's `POST /v1/lots/check`, asked over HTTP with the caller's token, as the export is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import httpx
from pydantic import BaseModel, ConfigDict, StrictBool, ValidationError

from clinic_shared.contracts.events import ProductUsed
from clinic_shared.errors import ServiceUnavailable
from scheduling.domain.lots import LotVerdict


class _Line(BaseModel):
    model_config = ConfigDict(extra="ignore")

    usable: StrictBool
    reason: str | None = None
    detail: str | None = None


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    lines: list[_Line]


class InventoryLots:
    """Whether lots may be used on a session's day; ServiceUnavailable when inventory cannot
    say (refused, timed out, 5xx or any answer but 200 with one verdict per line)."""

    def __init__(self, base_url: str, *, timeout: float, authorization: str) -> None:
        self._url = f"{base_url.rstrip('/')}/v1/lots/check"
        self._timeout = timeout
        self._headers = {"Authorization": authorization}

    async def check(self, session_on: date, used: Sequence[ProductUsed]) -> list[LotVerdict]:
        lines = [{"product_code": u.product_code, "lot_number": u.lot_number} for u in used]
        body = {"session_on": session_on.isoformat(), "lines": lines}
        try:
            async with httpx.AsyncClient(timeout=self._timeout, headers=self._headers) as client:
                response = await client.post(self._url, json=body)
        except httpx.HTTPError as exc:
            raise _unavailable("did not answer") from exc
        if response.status_code != 200:
            raise _unavailable(f"answered {response.status_code}")
        try:
            answer = _Answer.model_validate_json(response.content)
        except ValidationError as exc:
            raise _unavailable("gave an answer that cannot be read") from exc
        if len(answer.lines) != len(used):
            raise _unavailable("did not answer for every line")
        return [LotVerdict(line.usable, line.reason, line.detail) for line in answer.lines]


def _unavailable(why: str) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"The inventory service {why} when asked whether the lots may be used; nothing was "
        "recorded. Try again shortly.",
        service="inventory",
    )
