"""Scheduling's `GET /v1/treatments/{code}`, asked over HTTP with the caller's token: scheduling
owns the treatments, inventory only their kits."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from clinic_shared.errors import ServiceUnavailable


class SchedulingTreatments:
    """Whether scheduling holds a treatment; ServiceUnavailable when it cannot say (refused,
    timed out, or any answer but 200 or 404)."""

    def __init__(self, base_url: str, *, timeout: float, authorization: str) -> None:
        self._url = f"{base_url.rstrip('/')}/v1/treatments/"
        self._timeout = timeout
        self._headers = {"Authorization": authorization}

    async def known(self, treatment_code: str) -> bool:
        try:
            async with httpx.AsyncClient(timeout=self._timeout, headers=self._headers) as client:
                response = await client.get(self._url + quote(treatment_code, safe=""))
        except httpx.HTTPError as exc:
            raise _unavailable("did not answer") from exc
        if response.status_code not in (200, 404):
            raise _unavailable(f"answered {response.status_code}")
        return response.status_code == 200


def _unavailable(why: str) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"The scheduling service {why} when asked whether the treatment exists; the kit was "
        "not changed. Try again shortly.",
        service="scheduling",
    )
