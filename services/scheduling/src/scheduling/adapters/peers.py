"""The other services' parts of a patient's export, fetched over HTTP with the caller's token."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from typing import Any

import httpx

from clinic_shared.errors import ServiceUnavailable


class PeerExports:
    """Each peer service's `GET /v1/patients/{id}/export`; all of them, or ServiceUnavailable."""

    def __init__(self, base_urls: Mapping[str, str], *, timeout: float, authorization: str) -> None:
        self._base_urls = dict(base_urls)
        self._timeout = timeout
        self._headers = {"Authorization": authorization}

    async def fetch(self, patient_id: uuid.UUID) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=self._timeout, headers=self._headers) as client:
            parts = await asyncio.gather(
                *(self._one(client, name, url, patient_id) for name, url in self._base_urls.items())
            )
        return dict(zip(self._base_urls, parts, strict=True))

    async def _one(
        self, client: httpx.AsyncClient, name: str, base_url: str, patient_id: uuid.UUID
    ) -> Any:
        url = f"{base_url.rstrip('/')}/v1/patients/{patient_id}/export"
        try:
            response = await client.get(url)
        except httpx.HTTPError as exc:
            raise _unavailable(name, "did not answer") from exc
        if response.status_code != 200:
            raise _unavailable(name, f"answered {response.status_code}")
        return response.json()


def _unavailable(service: str, why: str) -> ServiceUnavailable:
    return ServiceUnavailable(
        f"The {service} service {why}; no partial export is given. Try again later.",
        service=service,
    )
